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


@contextmanager
def timing_lock(path: Path = LOCK_PATH) -> Iterator[float]:
    """Hold the host's timing lock for the block; yields how long we waited for it (s)."""
    import time

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
