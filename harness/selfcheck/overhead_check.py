"""Check 1: the native single-stream loop vs a bare session.run loop, and null-session cost."""

from __future__ import annotations

import gc
import time
from array import array
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from harness.scenarios import ScenarioConfig, bare_loop_ns, measure_overhead_ns, run_scenario
from harness.selfcheck.components import Components
from harness.selfcheck.plan import Plan
from harness.selfcheck.rows import CheckRow, limit_row, ratio_row

NATIVE_TOLERANCE = 0.02  # native median within 2 % of the bare loop's
NULL_LIMIT_US = 2.0  # harness cost per query on a null session


def bare_latencies_ns(raw_session: Any, samples: Sequence[dict[str, np.ndarray]],
                      duration_s: float) -> np.ndarray:
    """Return per-call latencies (ns) of a plain onnxruntime `run` loop, GC off."""
    run, clock = raw_session.run, time.perf_counter_ns
    names = [o.name for o in raw_session.get_outputs()]
    buf, n = array("q"), len(samples)
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        end = clock() + int(duration_s * 1e9)
        i, t1 = 0, 0
        while t1 < end:
            t0 = clock()
            run(names, samples[i % n])
            t1 = clock()
            buf.append(t1 - t0)
            i += 1
    finally:
        if gc_was_enabled:
            gc.enable()
    return np.frombuffer(buf, dtype=np.int64).copy()


def native_config(duration_s: float) -> ScenarioConfig:
    """Return a quick single-stream config that measures for about duration_s seconds."""
    return ScenarioConfig(warmup_count=20, warmup_s=0.05, min_count=100,
                          min_duration_s=duration_s, max_count=1_000_000,
                          max_duration_s=max(duration_s * 2, 1.0))


def null_overhead_ns() -> float:
    """Return the native loop's median cost per query on a null session (ns)."""
    cfg = native_config(0.05)
    return measure_overhead_ns(replace(cfg, min_count=20000, max_count=200000,
                                       max_duration_s=0.25))


def run_overhead_check(comp: Components, plan: Plan) -> list[CheckRow]:
    """Return the native-vs-bare row and the null-session row (interleaved repeats)."""
    cfg = native_config(plan.overhead_repeat_s)
    native_medians, bare_medians, pairs = [], [], []
    for _ in range(plan.overhead_repeats):
        native = run_scenario(comp.ort_session, comp.samples, cfg)
        bare = bare_latencies_ns(comp.raw_ort, comp.samples, plan.overhead_repeat_s)
        native_medians.append(float(np.median(native.latencies_ns)))
        bare_medians.append(float(np.median(bare)))
        pairs.append({"native_median_ns": native_medians[-1], "native_count": native.query_count,
                      "bare_median_ns": bare_medians[-1], "bare_count": int(bare.size)})
    ours, ref = float(np.median(native_medians)), float(np.median(bare_medians))
    ratios = [n / b for n, b in zip(native_medians, bare_medians, strict=True)]
    plain_mean_ns = bare_loop_ns(comp.ort_session, comp.samples[0], 500)
    detail = {"repeats": pairs,
              "untimed_plain_loop_mean_ns": plain_mean_ns,  # harness.scenarios.bare_loop_ns
              "how": "per-query latency medians; ours/reference = median over interleaved "
                     "[native, bare] repeats on the same InferenceSession; ratio = median of "
                     "the per-repeat ratios"}
    native_row = ratio_row("native vs bare session.run (median)", ours / 1e3, ref / 1e3, "µs",
                           NATIVE_TOLERANCE, detail, ratios)
    null_us = null_overhead_ns() / 1e3
    null_row = limit_row("null-session overhead per query", null_us, NULL_LIMIT_US, "µs",
                         detail={"how": "median per-query latency of the native closed loop "
                                        "on NullSession"})
    return [native_row, null_row]
