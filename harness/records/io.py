"""Atomic record I/O: temp file + fsync + rename, so a crash never leaves half a record."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from harness.core.errors import ResultsError
from harness.records.schema import SCHEMA_VERSION, RunRecord

SUFFIX = ".json"
QUARANTINE_PREFIX = ".unreadable-"  # dot-prefixed: record_paths and `harness compare` skip it


class NewerRecordError(ResultsError):
    """A record was written by a newer edge-harness (a higher schema_version)."""


def _umask() -> int:
    """Return the process umask without changing it where /proc says it (else a quick swap)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json_atomic(path: Path, data: object) -> None:
    """Write `data` as JSON to `path` atomically; raises ResultsError with the fix on failure.

    The file gets the mode `open()` would give it (0666 less the umask), not mkstemp's 0600."""
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
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
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
    except BaseException:  # interrupted (SIGTERM, Ctrl-C): leave no temp file behind
        Path(tmp).unlink(missing_ok=True)
        raise


def write_record(folder: Path, record: RunRecord) -> Path:
    """Write one record as `<folder>/<run_id>.json` and return its path."""
    path = Path(folder) / f"{record.run_id}{SUFFIX}"
    write_json_atomic(path, record.to_dict())
    return path


def parse_record(text: str, path: Path) -> RunRecord:
    """Return the record in `text`; raises ResultsError naming `path` when it is not one
    (NewerRecordError when a newer edge-harness wrote it)."""
    try:
        data = json.loads(text)
        if data.get("schema_version", 0) > SCHEMA_VERSION:
            raise NewerRecordError(
                f"{path} has schema version {data['schema_version']}, newer than this harness "
                f"({SCHEMA_VERSION}).", "Update edge-harness to read it.")
        return RunRecord.from_dict(data, owned=True)
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


def quarantine(path: Path, why: str) -> Path | None:
    """Move a corrupt record aside to a dot-prefixed name in its folder (kept, never deleted),
    say so on stderr and return the new path; None when another sweep moved it first."""
    path = Path(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{QUARANTINE_PREFIX}{path.stem}-{stamp}{SUFFIX}")
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return None
    print(f"warning: {path.name} is not a readable run record ({why}); moved it to "
          f"{target.name} and running it again.", file=sys.stderr)
    return target


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
