"""Atomic record I/O: temp file + fsync + rename, so a crash never leaves half a record."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.errors import ResultsError
from harness.records.schema import SCHEMA_VERSION, RunRecord

SUFFIX = ".json"


def write_json_atomic(path: Path, data: object) -> None:
    """Write `data` as JSON to `path` atomically; raises ResultsError with the fix on failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ResultsError(
            f"Cannot write results to {path.parent}: {exc.strerror}.",
            "Make the folder writable or choose another with results_dir=PATH.",
        ) from exc
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1, default=str, allow_nan=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ResultsError(
            f"Writing {path} failed: {exc.strerror}.",
            "Free disk space or choose another folder with results_dir=PATH; earlier records "
            "in the folder are intact.",
        ) from exc


def write_record(folder: Path, record: RunRecord) -> Path:
    """Write one record as `<folder>/<run_id>.json` and return its path."""
    path = Path(folder) / f"{record.run_id}{SUFFIX}"
    write_json_atomic(path, record.to_dict())
    return path


def parse_record(text: str, path: Path) -> RunRecord:
    """Return the record in `text`; raises ResultsError naming `path` when it is not one."""
    try:
        data = json.loads(text)
        if data.get("schema_version", 0) > SCHEMA_VERSION:
            raise ResultsError(
                f"{path} has schema version {data['schema_version']}, newer than this harness "
                f"({SCHEMA_VERSION}).", "Update edge-harness to read it.")
        return RunRecord.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ResultsError(f"{path} is not a readable run record: {exc}.",
                           "Delete it, move it out of the results folder, or rerun the sweep.") \
            from exc


def read_record(path: Path) -> RunRecord:
    """Read one record; raises ResultsError for unreadable, corrupt or newer-schema files."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ResultsError(f"{path} cannot be read: {exc.strerror}.",
                           "Check the path and its permissions.") from exc
    return parse_record(text, path)


RUN_FILES = "runs"  # per-run side files (LoadGen logs, power traces) live under <sweep>/runs/


def record_paths(folder: Path) -> list[Path]:
    """Return the run-record files under `folder`, recursively, skipping per-run side files."""
    root = Path(folder)
    return [p for p in sorted(root.rglob(f"*{SUFFIX}"))
            if not any(part.startswith(".") or part == RUN_FILES
                       for part in p.relative_to(root).parts)]


def iter_records(folder: Path) -> Iterator[RunRecord]:
    """Yield every run record found under `folder`, recursively, in path order."""
    for path in record_paths(folder):
        yield read_record(path)
