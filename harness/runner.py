"""Run one configuration and always leave a record: ok, failed (with reason) or skipped."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from harness.config import BenchConfig, Isolation
from harness.errors import BackendUnavailable, HarnessError
from harness.records.builder import RunBuilder, run_id_for
from harness.records.io import read_record, write_record
from harness.records.schema import RunRecord, Status


def describe_failure(exc: BaseException) -> dict[str, Any]:
    """Return the record fields for an exception: its one-line reason and type."""
    return {"reason": str(exc).strip() or type(exc).__name__, "error_type": type(exc).__name__}


def run_and_record(cfg: BenchConfig, config: dict[str, Any], out_dir: Path) -> RunRecord:
    """Execute one run and write its record to `out_dir`; never raises for a run's own failure."""
    from harness.pipeline import SkipRun, execute  # torch & co: only in the process that runs

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
        reason = (f"Unexpected {type(exc).__name__} inside the run: {exc}. The traceback is in "
                  "the record; rerun with isolation=none to debug.")
        record = run.finish(Status.failed, reason, type(exc).__name__)
    write_record(out_dir, record)
    return record


def kept_record(out_dir: Path, config: dict[str, Any]) -> RunRecord | None:
    """Return the complete record an earlier attempt left for this config, if any."""
    path = Path(out_dir) / f"{run_id_for(config)}.json"
    if not path.exists():
        return None
    try:
        return read_record(path)
    except HarnessError:
        return None  # unreadable: run again and replace it


def run_job(cfg: BenchConfig, config: dict[str, Any], out_dir: Path) -> RunRecord:
    """Run one sweep job: keep a complete earlier record unless forced, else run (isolated)."""
    if not cfg.force and (kept := kept_record(out_dir, config)) is not None:
        return kept
    if cfg.isolation is Isolation.process:
        from harness.isolation import run_isolated

        return run_isolated(cfg, config, out_dir)
    return run_and_record(cfg, config, out_dir)


def run_composed(cfg: Any, out_dir: Path) -> RunRecord:
    """Validate a composed Hydra config and run it; a config error becomes a failed record."""
    from omegaconf import OmegaConf

    from harness.cli import config_to_dict

    config = config_to_dict(cfg)
    try:
        bench_cfg = OmegaConf.to_object(cfg)
    except HarnessError as exc:  # raised by a config dataclass's own validation
        record = RunBuilder(config, str(config.get("sweep", ""))).finish(
            Status.failed, **describe_failure(exc))
        write_record(out_dir, record)
        return record
    return run_job(bench_cfg, config, out_dir)
