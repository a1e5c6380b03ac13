"""The harness's own cost: the native loop on a null session, and a bare loop to compare."""

from __future__ import annotations

import gc
import time

import numpy as np

from harness.scenarios.config import ScenarioConfig
from harness.scenarios.native_loop import Inputs, closed_loop, timed_region
from harness.scenarios.session import NullSession, TimedSession


def measure_overhead_ns(cfg: ScenarioConfig) -> float:
    """Return the native loop's median per-query latency on a null session (ns)."""
    session, queries = NullSession(), [[{}]]
    with timed_region(None):
        latencies_ns, _ = closed_loop(session, queries, cfg.min_count, cfg.min_duration_s,
                                      cfg.max_count, cfg.max_duration_s)
    return float(np.median(latencies_ns))


def bare_loop_ns(session: TimedSession, sample: Inputs, n: int) -> float:
    """Return the mean time per call of a plain `for` loop of session.run (ns), GC off."""
    run = session.run
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in range(n):
            run(sample)
        session.synchronize()
        return (time.perf_counter_ns() - start) / n
    finally:
        if gc_was_enabled:
            gc.enable()
