"""Suite-wide set-up: each pytest-xdist worker gets a timing lock of its own.

The harness's host-wide timing lock (harness/run/locks.py) makes runs on one machine time one
after another. The suite's workers are not competing measurements (no test's figure is a
benchmark), so sharing one lock would only make them wait for each other; each worker, and the
sweeps it starts in subprocesses, uses its own lock file through EDGE_HARNESS_TIMING_LOCK.
Tests of the lock itself pass their own path."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from harness.run.locks import LOCK_ENV


def pytest_configure(config: pytest.Config) -> None:
    """Point this worker (and its subprocesses) at its own timing lock file."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ[LOCK_ENV] = str(Path(tempfile.gettempdir())
                               / f"edge-harness-timing-{os.getpid()}-{worker}.lock")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this worker's lock file."""
    if os.environ.get(LOCK_ENV):
        Path(os.environ[LOCK_ENV]).unlink(missing_ok=True)
