"""Run one configuration and always leave a record: ok, failed (with reason) or skipped."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from harness.config import BenchConfig
from harness.errors import BackendUnavailable, HarnessError
from harness.pipeline import SkipRun, describe_failure, execute
from harness.records.builder import RunBuilder
from harness.records.io import write_record
from harness.records.schema import RunRecord, Status


def run_and_record(cfg: BenchConfig, config: dict[str, Any], out_dir: Path) -> RunRecord:
    """Execute one run and write its record to `out_dir`; never raises for a run's own failure."""
    run = RunBuilder(config, cfg.sweep)
    try:
        execute(cfg, run, Path(out_dir))
        record = run.finish(Status.ok)
    except (SkipRun, BackendUnavailable) as exc:
        record = run.finish(Status.skipped, **describe_failure(exc))
    except HarnessError as exc:
        record = run.finish(Status.failed, **describe_failure(exc))
    except Exception as exc:  # a crash inside a backend must not end the sweep
        run.set(traceback=traceback.format_exc(limit=-8))
        record = run.finish(Status.failed, **describe_failure(exc))
    write_record(out_dir, record)
    return record
