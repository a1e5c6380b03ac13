"""Run one configuration and always leave a record: ok, failed (with reason) or skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from harness.config import BenchConfig, Isolation, config_to_dict
from harness.core.errors import HarnessError
from harness.records.builder import RunBuilder, run_id_for
from harness.records.io import NewerRecordError, parse_record, quarantine, write_record
from harness.records.schema import RunRecord, Status
from harness.run.child import describe_failure, run_and_record
from harness.run.isolation import run_isolated

#: error_type of failures caused by run control, not by the run itself: resume reruns them.
RUN_CONTROL_FAILURES = frozenset({"RunTimedOut", "MemoryCapExceeded", "RunKilled"})


def kept_record(out_dir: Path, config: dict[str, Any]) -> RunRecord | None:
    """Return the record an earlier attempt left for this config, if any.

    A corrupt record is moved aside (never deleted) and None returned, so the run is redone;
    a record from a newer edge-harness raises NewerRecordError: it is never replaced."""
    path = Path(out_dir) / f"{run_id_for(config)}.json"
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HarnessError(f"{path} cannot be read: {exc.strerror}.",
                           "Fix its permissions, or resume into a new folder.") from exc
    try:
        return parse_record(text, path)
    except NewerRecordError as exc:
        raise NewerRecordError(exc.message, NEWER_HINT) from None
    except HarnessError as exc:
        quarantine(path, str(exc.__cause__ or exc.message))
        return None


NEWER_HINT = ("Resuming would replace it, so nothing was run. Update edge-harness (git pull; "
              "make setup) and resume again, or resume into a new folder.")


def wants_rerun(cfg: BenchConfig, record: RunRecord) -> bool:
    """Return whether a kept record is rerun: forced, failed by run control (time-out, memory
    cap, killed), or any failure with retry_failed=true."""
    if cfg.force:
        return True
    if record.status is not Status.failed:
        return False
    return cfg.retry_failed or record.error_type in RUN_CONTROL_FAILURES


def run_job(cfg: BenchConfig, config: dict[str, Any], out_dir: Path) -> RunRecord:
    """Run one sweep job: keep a complete earlier record unless it must be rerun, else run
    (isolated)."""
    kept = None if cfg.force else kept_record(out_dir, config)
    if kept is not None and not wants_rerun(cfg, kept):
        return kept
    if cfg.isolation is Isolation.process:
        return run_isolated(cfg, config, out_dir)
    return run_and_record(cfg, config, out_dir)


def run_composed(cfg: Any, out_dir: Path) -> RunRecord:
    """Validate a composed Hydra config and run it; a config error becomes a failed record."""
    config = config_to_dict(cfg)
    try:
        bench_cfg = OmegaConf.to_object(cfg)
    except HarnessError as exc:  # raised by a config dataclass's own validation
        record = RunBuilder(config, str(config.get("sweep", ""))).finish(
            Status.failed, **describe_failure(exc))
        write_record(out_dir, record)
        return record
    return run_job(bench_cfg, config, out_dir)
