"""How long each check measures: the full plan for the command, a quick one for tests."""

from __future__ import annotations

from dataclasses import dataclass

#: The server check's p99 latency bound in ms: MLPerf's default (loadgen/mlperf.conf).
SERVER_LATENCY_BOUND_MS = 10.0


@dataclass(frozen=True)
class Plan:
    """Durations and repeat counts for one self-check run (seconds, counts)."""

    label: str
    warmup_s: float  # session warm-up before any check
    overhead_repeats: int  # interleaved [native, bare] pairs
    overhead_repeat_s: float  # duration of each half of a pair
    loadgen_repeats: int  # interleaved [native, loadgen] pairs
    loadgen_min_queries: int
    loadgen_min_s: float
    openvino_repeats: int  # interleaved [benchmark_app p50, ours, benchmark_app p90] rounds
    openvino_s: int  # benchmark_app -t and our matching duration
    search_budget_s: float | None  # None: the quick profile's own (ScenarioConfig default)
    server_min_s: float | None  # per probe and final run; None: the quick profile's own
    benchmark_app_timeout_s: float


# Many short alternations cancel load bursts and drift better than a few long ones.
FULL = Plan(label="full", warmup_s=1.0, overhead_repeats=20, overhead_repeat_s=0.25,
            loadgen_repeats=32, loadgen_min_queries=1000, loadgen_min_s=0.25,
            openvino_repeats=20, openvino_s=1, search_budget_s=None, server_min_s=None,
            benchmark_app_timeout_s=120.0)

QUICK = Plan(label="quick", warmup_s=0.3, overhead_repeats=3, overhead_repeat_s=0.2,
             loadgen_repeats=1, loadgen_min_queries=300, loadgen_min_s=0.2,
             openvino_repeats=1, openvino_s=1, search_budget_s=4.0, server_min_s=0.2,
             benchmark_app_timeout_s=60.0)


def plan_for(quick: bool) -> Plan:
    """Return the quick plan (tests, smoke runs) or the full plan (the real check)."""
    return QUICK if quick else FULL
