"""The run itself, in the process that runs it: always leaves an ok, failed or skipped record."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from harness.config import BenchConfig
from harness.core.errors import BackendUnavailable, HarnessError
from harness.records.builder import RunBuilder
from harness.records.io import write_record
from harness.records.schema import RunRecord, Status


def describe_failure(exc: BaseException) -> dict[str, Any]:
    """Return the record fields for an exception: its one-line reason and type."""
    return {"reason": str(exc).strip() or type(exc).__name__, "error_type": type(exc).__name__}


def run_and_record(cfg: BenchConfig, config: dict[str, Any], out_dir: Path,
                   memory: dict[str, Any] | None = None) -> RunRecord:
    """Execute one run and write its record to `out_dir`; never raises for a run's own failure.

    `memory`: fields for the record's memory section (the isolated run's cap)."""
    from harness.run.execute import execute  # torch & co: imported only by the run's process

    run = RunBuilder(config, cfg.sweep)
    if memory:
        run.set(memory=dict(memory))
    try:
        execute(cfg, run, Path(out_dir))
        record = run.finish(Status.ok)
    except BackendUnavailable as exc:
        record = run.finish(Status.skipped, **describe_failure(exc))
    except HarnessError as exc:
        record = run.finish(Status.failed, **describe_failure(exc))
    except Exception as exc:  # a crash inside a backend must not end the sweep
        run.set(traceback=traceback.format_exc(limit=-8))
        reason = (f"Unexpected {type(exc).__name__} inside the run: {exc}. The traceback is in "
                  "the record; rerun with isolation=none to debug.")
        record = run.finish(Status.failed, reason, type(exc).__name__)
    write_record(out_dir, record)
    return record
