"""Results from many hosts: per-host record folders, and records brought back to the driver.

With a cluster launcher (`launcher=ray`, `launcher=slurm`) a job may run on any node. It writes
its record under `<sweep>/<hostname>/` on that node (so hosts never overwrite each other's runs
on a shared disk) and returns the record to the driver, which writes the records that are not
already on its disk under the same per-host folders. `harness compare` reads folders
recursively, so the sweep folder then compares like any other, with a `host` column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus

from harness.records.env import fingerprint
from harness.records.io import SUFFIX, write_json_atomic
from harness.records.schema import RunRecord


def host_dir_name(hostname: str) -> str:
    """Return a folder name for a host: its hostname with unsafe characters replaced by '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", hostname) or "unknown-host"


def job_output_dir(output_dir: Path, host_folders: bool) -> Path:
    """Return where this job writes its record: `output_dir`, or its per-host sub-folder."""
    if not host_folders:
        return Path(output_dir)
    return Path(output_dir) / host_dir_name(fingerprint()["hostname"])


def job_return(record: RunRecord, host_folders: bool) -> str | dict[str, Any]:
    """Return the job's return value: the whole record for cluster launchers, else its status."""
    return record.to_dict() if host_folders else record.status.value


def _already_there(path: Path, record: RunRecord) -> bool:
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return kept.get("run_id") == record.run_id and kept.get("created_at") == record.created_at


def bring_back(sweep_dir: Path, returns: Iterable[JobReturn]) -> list[Path]:
    """Write each returned record missing here as `<sweep_dir>/<host>/<run_id>.json`; return
    the paths written (none when the jobs share the driver's disk).

    Each job's return value is then cut down to its status, so that a long sweep does not keep
    every record (raw latencies included) in the driver's memory."""
    written = []
    for job in returns:
        if job.status is not JobStatus.COMPLETED or not isinstance(job.return_value, dict):
            continue
        record = RunRecord.from_dict(job.return_value)
        host = host_dir_name(str(record.environment.hostname or ""))
        path = Path(sweep_dir) / host / f"{record.run_id}{SUFFIX}"
        if not _already_there(path, record):
            write_json_atomic(path, job.return_value)
            written.append(path)
        job.return_value = record.status.value
    return written
