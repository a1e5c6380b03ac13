"""Native engine: single-stream, multi-stream and offline with LoadGen's semantics."""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict

import numpy as np

from harness.core import stats
from harness.scenarios.config import ScenarioConfig, ScenarioName
from harness.scenarios.device_time import device_time_summary, timing_reader
from harness.scenarios.native_loop import (
    Inputs,
    Query,
    closed_loop,
    grow,
    mlperf_order,
    new_buffer,
    timed_region,
    timer_resolution_ns,
    warmup,
)
from harness.scenarios.result import Measurement
from harness.scenarios.session import TimedSession


def stack(group: Sequence[Inputs]) -> Inputs:
    """Return one input dict with the group's arrays concatenated on axis 0 (a batch)."""
    return {name: np.concatenate([s[name] for s in group], axis=0) for name in group[0]}


def make_queries(samples: Sequence[Inputs], per_query: int, batch: bool) -> list[Query]:
    """Return queries of per_query consecutive samples (cycled), pre-stacked when batch."""
    n = len(samples)
    groups = [[samples[(k * per_query + j) % n] for j in range(per_query)] for k in range(n)]
    return [[stack(g)] for g in groups] if batch and per_query > 1 else groups


def run_streams(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                window: AbstractContextManager | None) -> Measurement:
    """Return a closed-loop measurement: one query in flight, latency issue -> completion."""
    per_query = cfg.samples_per_query if cfg.name is ScenarioName.multi_stream else 1
    queries = make_queries(samples, per_query, cfg.batch_samples)
    n_warm, warm_ns = warmup(session, queries, cfg.warmup_count, cfg.warmup_s, cfg.max_duration_s)
    timer = timing_reader(session) if len(queries[0]) == 1 else None
    timings: list = []
    with timed_region(window):
        lat, duration_ns = closed_loop(session, mlperf_order(queries, cfg.max_count, cfg.seed),
                                       cfg.min_count, cfg.min_duration_s, cfg.max_count,
                                       cfg.max_duration_s, timer, timings)
    extra: dict = {"timer_resolution_ns": timer_resolution_ns()}
    if timer is not None and (split := device_time_summary(session, lat, timings,
                                                           cfg.confidence)) is not None:
        extra["device_time"] = split
        if getattr(session, "runtime_timer", None):  # the runtime_timer section stays as it was
            runtime = array("q", split["device_samples_ns"])
            extra["runtime_timer"] = runtime_timer_summary(session, lat, runtime, cfg.confidence)
    return Measurement(lat, lat.size, lat.size * per_query, duration_ns, n_warm, warm_ns,
                       extra=extra)


def runtime_timer_summary(session: TimedSession, wall_ns: np.ndarray, runtime_ns: array,
                          confidence: float) -> dict:
    """Return the runtime-timed percentiles beside ours and the per-query difference (ns).

    Our latency is what the application sees; the runtime's timer leaves out its own API
    layer (e.g. OpenVINO's Python binding), which tools built on that timer do not count."""
    runtime = np.frombuffer(runtime_ns, dtype=np.int64).copy()
    gap = wall_ns - runtime
    return {"source": getattr(session, "runtime_timer", None) or type(session).__name__,
            "summary": asdict(stats.summarize(runtime, confidence)),
            "wall_minus_runtime_p50_ns": float(np.median(gap)),
            "wall_minus_runtime_p90_ns": float(stats.percentile(gap, 0.9))}


def offline_sample_count(cfg: ScenarioConfig, warm_sps: float) -> int:
    """Return LoadGen's offline query size: enough samples for 1.1 x min duration (count)."""
    wanted = math.ceil(warm_sps * cfg.min_duration_s * 1.1)
    return max(1, min(max(cfg.offline_samples, wanted), cfg.max_count))


def run_offline(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                window: AbstractContextManager | None) -> Measurement:
    """Return an offline measurement: one query of many samples; per-sample completion (ns)."""
    per_batch = cfg.samples_per_query if cfg.batch_samples else 1
    batches = make_queries(samples, per_batch, cfg.batch_samples)
    n_warm, warm_ns = warmup(session, batches, cfg.warmup_count, cfg.warmup_s, cfg.max_duration_s)
    n_samples = offline_sample_count(cfg, n_warm * per_batch * 1e9 / max(warm_ns, 1))
    with timed_region(window):
        done_ns, duration_ns = _offline_query(session, batches, -(-n_samples // per_batch),
                                              cfg.max_duration_s)
    lat = np.repeat(done_ns, per_batch)
    return Measurement(lat, 1, lat.size, duration_ns, n_warm, warm_ns,
                       extra={"offline_batch": per_batch, "offline_planned_samples": n_samples})


def _offline_query(session: TimedSession, batches: Sequence[Query], n_batches: int,
                   max_duration_s: float) -> tuple[np.ndarray, int]:
    """Issue all batches back to back; return completion times since issue and total (ns).

    Per-batch times are taken when run() returns; only the last is after synchronize(), so
    on asynchronous devices intermediate completions are issue-return times.
    """
    run, clock = session.run, time.perf_counter_ns
    buf = new_buffer(n_batches)
    cap, n = len(buf), len(batches)
    start = clock()
    max_end = start + int(max_duration_s * 1e9)
    i = 0
    while i < n_batches:
        for inputs in batches[i % n]:
            run(inputs)
        now = clock()
        if i == cap:
            grow(buf)
            cap = len(buf)
        buf[i] = now - start
        i += 1
        if now >= max_end:
            break
    session.synchronize()
    buf[i - 1] = clock() - start
    return np.frombuffer(buf, dtype=np.int64)[:i].copy(), buf[i - 1]
