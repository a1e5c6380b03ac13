"""Check 4: the server scenario's max-QPS search (quick profile) — wall time and what it found."""

from __future__ import annotations

import time
from dataclasses import replace

from harness.core import stats
from harness.scenarios import ScenarioConfig, ScenarioName, run_scenario
from harness.selfcheck.components import Components
from harness.selfcheck.plan import SERVER_LATENCY_BOUND_MS, Plan
from harness.selfcheck.rows import FAIL, PASS, CheckRow, limit_row

SEARCH_WALL_LIMIT_S = 120.0  # the whole search plus the final run, wall clock


def server_config(plan: Plan) -> ScenarioConfig:
    """Return the quick-profile server config (search on, 10 ms p99 bound), maybe shortened."""
    cfg = ScenarioConfig(name=ScenarioName.server, search_qps=True,
                         latency_bound_ms=SERVER_LATENCY_BOUND_MS)
    if plan.search_budget_s is not None:
        cfg = replace(cfg, search_budget_s=plan.search_budget_s)
    if plan.server_min_s is not None:
        cfg = replace(cfg, min_duration_s=plan.server_min_s, warmup_s=0.1,
                      max_duration_s=max(plan.server_min_s * 4, 2.0))
    return cfg


def run_server_check(comp: Components, plan: Plan) -> list[CheckRow]:
    """Return rows for the search's wall time, the QPS found and its final-run p99 vs bound."""
    cfg = server_config(plan)
    start = time.perf_counter()
    result = run_scenario(comp.ort_session, comp.samples, cfg)
    wall_s = time.perf_counter() - start
    qps = result.extra.get("search_max_qps")
    p99_ms = stats.percentile(result.latencies_ns, 0.99) / 1e6
    trace = result.extra.get("search_trace", [])
    detail = {"latency_bound_ms": SERVER_LATENCY_BOUND_MS, "search_budget_s": cfg.search_budget_s,
              "probe_min_duration_s": cfg.min_duration_s, "probes": trace,
              "final_queries": result.query_count,
              "final_scheduled_qps": result.extra.get("scheduled_qps"),
              "final_valid": result.valid, "warnings": result.warnings}
    wall_row = limit_row("server max-QPS search: wall time", wall_s, SEARCH_WALL_LIMIT_S, "s",
                         detail={"probe_count": len(trace), "includes": "search + final run"})
    qps_row = CheckRow("server max-QPS search: QPS found", float(qps or 0.0), None, "QPS",
                       "a QPS meets the bound", PASS if qps else FAIL, detail=detail)
    p99_row = limit_row("server p99 at the QPS found (final run)", p99_ms,
                        SERVER_LATENCY_BOUND_MS, "ms", reference=SERVER_LATENCY_BOUND_MS,
                        inclusive=True, detail={"bound_source": "MLPerf default server bound "
                                                "(loadgen/mlperf.conf), 10 ms"})
    return [wall_row, qps_row, p99_row]
