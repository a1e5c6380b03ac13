"""The host-wide timing lock: two processes never hold it at the same time."""

from __future__ import annotations

import multiprocessing
import time
from itertools import combinations
from pathlib import Path

from harness.run.locks import timing_lock


def _hold(path: Path, seconds: float, out: multiprocessing.Queue) -> None:
    with timing_lock(path) as waited_s:
        start = time.time()
        time.sleep(seconds)
        out.put((start, time.time(), waited_s))


def test_timed_regions_never_overlap(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_hold, args=(tmp_path / "lock", 0.5, out)) for _ in range(3)]
    for proc in procs:
        proc.start()
    held = [out.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    for (a0, a1, _), (b0, b1, _) in combinations(held, 2):
        assert a1 <= b0 or b1 <= a0
    assert max(w for *_, w in held) > 0.05  # somebody waited for the lock


def test_the_lock_file_can_be_named_in_the_environment(tmp_path: Path,
                                                       monkeypatch) -> None:
    from harness.run.locks import LOCK_ENV, lock_path

    monkeypatch.setenv(LOCK_ENV, str(tmp_path / "shared.lock"))
    assert lock_path() == tmp_path / "shared.lock"
    with timing_lock():
        assert (tmp_path / "shared.lock").exists()
    monkeypatch.delenv(LOCK_ENV)
    assert lock_path().name == "edge-harness-timing.lock"
