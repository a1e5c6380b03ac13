"""Find the highest server QPS whose p99 meets the latency bound (bracket, then bisect)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from harness.core.stats import percentile
from harness.scenarios.config import ScenarioConfig, ScenarioName, validate
from harness.scenarios.native_loop import warmup
from harness.scenarios.result import Measurement
from harness.scenarios.server import Inputs, run_server
from harness.scenarios.session import TimedSession

MIN_QPS = 1e-3


def capacity_qps(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig) -> float:
    """Return 1 / mean service time of back-to-back queries during a short warm-up (1/s)."""
    n, ns = warmup(session, [[s] for s in samples], max(cfg.warmup_count, 10), cfg.warmup_s,
                   cfg.max_duration_s)
    return n * 1e9 / max(ns, 1)


def search_max_qps(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                   budget_s: float | None = None, rel_tol: float = 0.05
                   ) -> tuple[float | None, list[dict[str, float | bool]]]:
    """Return (highest valid QPS found or None, trace of probes), within budget_s seconds."""
    cfg = validate(replace(cfg, name=ScenarioName.server, search_qps=True))
    deadline = time.monotonic() + (budget_s if budget_s is not None else cfg.search_budget_s)
    trace: list[dict[str, float | bool]] = []

    def probe(qps: float) -> bool:
        m = run_server(session, samples, replace(cfg, target_qps=qps), None)
        trace.append({"qps": qps, "valid": bool(m.valid), "p99_ns": _p99(m)})
        return bool(m.valid)

    start = capacity_qps(session, samples, cfg) * cfg.max_in_flight  # N clients: N at once
    return highest_valid(probe, start, 4.0, MIN_QPS, deadline, rel_tol), trace


def highest_valid(probe: Callable[[float], bool], start: float, step_down: float,
                  floor: float, deadline: float, rel_tol: float) -> float | None:
    """Return the highest rate `probe` accepts (None if none above `floor`): bracket down from
    `start` by `step_down` and up by 2, then bisect geometrically until hi/lo <= 1 + rel_tol or
    time.monotonic() passes `deadline`."""
    hi = start
    lo = hi / step_down
    while not probe(lo):
        hi, lo = lo, lo / step_down
        if lo < floor or time.monotonic() > deadline:
            return None
    while time.monotonic() < deadline and probe(hi):
        lo, hi = hi, hi * 2
    while hi / lo > 1 + rel_tol and time.monotonic() < deadline:
        mid = (lo * hi) ** 0.5
        lo, hi = (mid, hi) if probe(mid) else (lo, mid)
    return lo


def _p99(m: Measurement) -> float:
    return float(percentile(m.latencies_ns, 0.99))
