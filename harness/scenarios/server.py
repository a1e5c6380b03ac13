"""Native server scenario: Poisson arrivals, latency from scheduled arrival to completion."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager

import numpy as np

from harness.core import stats
from harness.scenarios.config import HEADLINE_FRACTION, ScenarioConfig, ScenarioName
from harness.scenarios.native_loop import (
    Inputs,
    mlperf_order,
    new_buffer,
    timed_region,
    wait_until,
    warmup,
)
from harness.scenarios.result import Measurement
from harness.scenarios.server_concurrent import WorkerPool, fork_sessions
from harness.scenarios.session import TimedSession


def poisson_offsets_ns(qps: float, cfg: ScenarioConfig) -> list[int]:
    """Return scheduled arrival offsets from the start (ns), enough for min count/duration."""
    wanted = max(cfg.min_count, math.ceil(qps * cfg.min_duration_s * 1.1))
    count = max(1, min(wanted, cfg.max_count))
    gaps_s = np.random.default_rng(cfg.seed).exponential(1.0 / qps, size=count)
    return (np.cumsum(gaps_s) * 1e9).astype(np.int64).tolist()


def server_loop(session: TimedSession, queries: Sequence[Inputs], offsets_ns: list[int],
                max_duration_s: float) -> tuple[np.ndarray, int]:
    """Issue one query per scheduled arrival (queued while busy); (latencies_ns, duration_ns)."""
    run, sync, clock = session.run, session.synchronize, time.perf_counter_ns
    buf, n = new_buffer(len(offsets_ns)), len(queries)
    start = clock()
    max_end = start + int(max_duration_s * 1e9)
    i, t1 = 0, start
    for i, offset in enumerate(offsets_ns):  # noqa: B007 - i is the count afterwards
        scheduled = start + offset
        if t1 < scheduled:
            wait_until(scheduled)
        run(queries[i % n])
        sync()
        t1 = clock()
        buf[i] = t1 - scheduled
        if t1 >= max_end:
            break
    count = i + 1
    return np.frombuffer(buf, dtype=np.int64)[:count].copy(), t1 - start


def server_valid(latencies_ns: np.ndarray, bound_ms: float) -> tuple[bool, bool]:
    """Return (p99 within bound, LoadGen early-stopping condition met) for server latencies."""
    fraction = HEADLINE_FRACTION[ScenarioName.server]
    bound_ns = bound_ms * 1e6
    within = stats.percentile(latencies_ns, fraction) <= bound_ns
    over = int(np.count_nonzero(latencies_ns > bound_ns))
    cdf = stats.binomial_cdf(latencies_ns.size, 1.0 - fraction)
    return within, bool(cdf[over] < 0.01)


def run_server(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
               window: AbstractContextManager | None) -> Measurement:
    """Return a server measurement at cfg.target_qps; valid iff p99 <= latency_bound_ms."""
    qps = float(cfg.target_qps or 0.0)
    offsets = poisson_offsets_ns(qps, cfg)
    n_warm, warm_ns = warmup(session, [[s] for s in samples], cfg.warmup_count, cfg.warmup_s,
                             cfg.max_duration_s)
    order = mlperf_order(samples, len(offsets), cfg.seed)
    sessions = fork_sessions(session, cfg.max_in_flight) if cfg.max_in_flight > 1 else []
    try:
        if sessions:  # workers start and warm up before the timed (energy) window
            with WorkerPool(sessions, order, samples[0]) as pool, timed_region(window):
                lat, duration_ns = pool.issue(offsets, cfg.max_duration_s)
        else:
            with timed_region(window):
                lat, duration_ns = server_loop(session, order, offsets, cfg.max_duration_s)
    finally:
        for fork in sessions:
            fork.close()
    within, early_ok = server_valid(lat, float(cfg.latency_bound_ms or 0.0))
    warnings = () if early_ok else (
        "early stopping not met: too few queries for LoadGen's p99 confidence at this "
        "over-latency count; raise min_count or min_duration_s",)
    extra = {"target_qps": qps, "latency_bound_ms": cfg.latency_bound_ms,
             "max_in_flight": cfg.max_in_flight,
             "early_stopping_met": early_ok,
             "scheduled_qps": (lat.size - 1) * 1e9 / offsets[lat.size - 1] if lat.size > 1
             else 0.0}
    return Measurement(lat, lat.size, lat.size, duration_ns, n_warm, warm_ns, extra=extra,
                       valid=within, warnings=warnings)
