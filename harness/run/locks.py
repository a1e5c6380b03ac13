"""A host-wide lock so that two sweeps on one machine never time at the same time."""

from __future__ import annotations

import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_PATH = Path(tempfile.gettempdir()) / "edge-harness-timing.lock"
#: Environment variable naming another lock file: runs that give the same file never time at
#: once (e.g. containers sharing one host through a mounted folder).
LOCK_ENV = "EDGE_HARNESS_TIMING_LOCK"


def lock_path() -> Path:
    """Return the timing lock's file: $EDGE_HARNESS_TIMING_LOCK, else the host's temp folder."""
    return Path(os.environ.get(LOCK_ENV) or LOCK_PATH)


@contextmanager
def timing_lock(path: Path | None = None) -> Iterator[float]:
    """Hold the host's timing lock for the block; yields how long we waited for it (s)."""
    import time

    path = path if path is not None else lock_path()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    start = time.monotonic()
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"[edge-harness] another run is timing on this host; waiting ({path})",
                  file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield time.monotonic() - start
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
