"""Find the highest server request rate whose p99 TTFT and p99 TPOT meet their bounds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from harness.generative.config import GenScenarioConfig
from harness.generative.metrics import p99_ms, summarise_traces
from harness.generative.trace import RequestTrace
from harness.scenarios.search import highest_valid

MIN_RATE_RPS = 1e-3


def is_valid(summary: dict[str, Any], cfg: GenScenarioConfig) -> bool:
    """Return whether p99 TTFT <= ttft_bound_ms and p99 TPOT <= tpot_bound_ms (MLPerf server).

    With too few requests for an interval, the maximum stands in for p99 (conservative)."""
    ttft, tpot = p99_ms(summary["ttft"]), p99_ms(summary["tpot"])
    return (ttft is not None and ttft <= cfg.ttft_bound_ms
            and (tpot is None or tpot <= cfg.tpot_bound_ms))


def search_rate(run_at: Callable[[float], list[RequestTrace]], capacity_rps: float,
                cfg: GenScenarioConfig, rel_tol: float = 0.1
                ) -> tuple[float | None, list[dict[str, Any]]]:
    """Return (highest valid rate found or None, probes) within cfg.search_budget_s:
    bracket from the single-stream capacity, then bisect geometrically."""
    deadline = time.monotonic() + cfg.search_budget_s
    trace: list[dict[str, Any]] = []

    def probe(rate: float) -> bool:
        summary = summarise_traces(run_at(rate), cfg.confidence)
        ok = is_valid(summary, cfg)
        trace.append({"rate_rps": rate, "valid": ok, "p99_ttft_ms": p99_ms(summary["ttft"]),
                      "p99_tpot_ms": p99_ms(summary["tpot"])})
        return ok

    return highest_valid(probe, capacity_rps, 2.0, MIN_RATE_RPS, deadline, rel_tol), trace
