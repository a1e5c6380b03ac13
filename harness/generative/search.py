"""Find the highest server request rate whose p99 TTFT and p99 TPOT meet their bounds, within
a time budget that covers every probe.

A probe issues up to `requests` Poisson arrivals at its rate. Before it starts, its length is
predicted from the seeded arrival times and the single-stream service time: the last arrival
plus one service time, or the time the workers need to serve every request back to back,
whichever is later. A probe that would overrun the budget shrinks (fewer requests, down to
MIN_PROBE_REQUESTS) or, if even that would overrun, ends the search with the best rate found.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from harness.generative.config import GenScenarioConfig
from harness.generative.metrics import p99_ms, summarise_traces
from harness.generative.scenarios import arrival_offsets_ns
from harness.generative.trace import RequestTrace
from harness.scenarios.search import highest_valid

MIN_RATE_RPS = 1e-3
MIN_PROBE_REQUESTS = 4


class _OutOfBudget(Exception):
    """No probe of useful size fits in what is left of the budget."""


def is_valid(summary: dict[str, Any], cfg: GenScenarioConfig) -> bool:
    """Return whether p99 TTFT <= ttft_bound_ms and p99 TPOT <= tpot_bound_ms (MLPerf server).

    With too few requests for an interval, the maximum stands in for p99 (conservative)."""
    ttft, tpot = p99_ms(summary["ttft"]), p99_ms(summary["tpot"])
    return (ttft is not None and ttft <= cfg.ttft_bound_ms
            and (tpot is None or tpot <= cfg.tpot_bound_ms))


def probe_s(requests: int, rate_rps: float, service_s: float, workers: int) -> float:
    """Return the predicted length (s) of a probe of `requests` arrivals at rate_rps."""
    last_arrival_s = arrival_offsets_ns(requests, rate_rps, 0)[-1] / 1e9
    backlog_s = requests * service_s / max(workers, 1)
    return max(last_arrival_s + service_s, backlog_s)


def probe_requests(rate_rps: float, remaining_s: float, service_s: float, requests: int,
                   workers: int) -> int:
    """Return the most requests (<= requests) a probe at rate_rps can issue within
    remaining_s, or 0 when fewer than MIN_PROBE_REQUESTS (or all, if fewer) would fit."""
    least = min(MIN_PROBE_REQUESTS, requests)
    for n in range(requests, least - 1, -1):
        if probe_s(n, rate_rps, service_s, workers) <= remaining_s:
            return n
    return 0


def search_rate(run_at: Callable[[float, int], list[RequestTrace]], service_s: float,
                requests: int, cfg: GenScenarioConfig, rel_tol: float = 0.1,
                deadline: float | None = None) -> tuple[float | None, list[dict[str, Any]]]:
    """Return (highest valid rate found or None, probes): bracket from the single-stream
    capacity (workers / service_s), then bisect geometrically, every probe before `deadline`
    (time.monotonic(); default: cfg.search_budget_s from now); run_at(rate, n) issues n
    requests at rate."""
    deadline = deadline if deadline is not None else time.monotonic() + cfg.search_budget_s
    trace: list[dict[str, Any]] = []

    def probe(rate: float) -> bool:
        n = probe_requests(rate, deadline - time.monotonic(), service_s, requests,
                           cfg.server_workers)
        if not n:
            raise _OutOfBudget
        summary = summarise_traces(run_at(rate, n), cfg.confidence)
        ok = is_valid(summary, cfg)
        trace.append({"rate_rps": rate, "requests": n, "valid": ok,
                      "p99_ttft_ms": p99_ms(summary["ttft"]),
                      "p99_tpot_ms": p99_ms(summary["tpot"])})
        return ok

    capacity = cfg.server_workers / max(service_s, 1e-9)
    try:
        best = highest_valid(probe, capacity, 2.0, MIN_RATE_RPS, deadline, rel_tol)
    except _OutOfBudget:
        best = max((p["rate_rps"] for p in trace if p["valid"]), default=None)
    return best, trace
