"""The server scenario with `search_rate`: estimate the service time from one request, probe
rates, and report the highest valid probe itself (its requests, timestamps and energy window),
not a rerun at that rate, so the whole search, estimate included, keeps to search_budget_s."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.core.errors import MeasurementError
from harness.energy.base import EnergyMeter
from harness.generative import scenarios
from harness.generative.config import GenScenarioConfig
from harness.generative.engine import GenerativeSession
from harness.generative.search import search_rate
from harness.generative.trace import RequestTrace


@dataclass
class Probe:
    """One probe's traces, its energy readings and its window (unix seconds)."""

    traces: list[RequestTrace]
    readings: list = field(default_factory=list)
    start_unix_s: float = 0.0
    end_unix_s: float = 0.0


def mean_e2e_s(traces: Sequence[RequestTrace]) -> float:
    """Return the mean end-to-end latency of the traces (s)."""
    return sum(t.token_ns[-1] - t.send_ns for t in traces) / len(traces) / 1e9


def searched_server(session: GenerativeSession, prompts: Sequence[Sequence[int]], out: int,
                    sc: GenScenarioConfig, meter: EnergyMeter
                    ) -> tuple[float, Probe, dict[str, Any]]:
    """Return (the highest valid rate, its probe, the search's record fields); MeasurementError
    naming the probes when no rate met the bounds within the budget."""
    started = time.monotonic()
    service_s = mean_e2e_s(scenarios.single_stream(session, prompts[:1], out))
    probes: dict[float, Probe] = {}

    def run_at(rate: float, n: int) -> list[RequestTrace]:
        window, start = meter.window(), time.time()
        with window:
            traces = scenarios.server(session, prompts[:n], out, sc, rate)
        probes[rate] = Probe(traces, window.readings, start, time.time())
        return traces

    best, trace = search_rate(run_at, service_s, len(prompts), sc,
                              deadline=started + sc.search_budget_s)
    fields = {"best_rate_rps": best, "probes": trace, "service_s": service_s,
              "capacity_rps": sc.server_workers / service_s, "budget_s": sc.search_budget_s,
              "elapsed_s": time.monotonic() - started,
              "reported": "the highest valid probe (its own requests and energy window)"}
    if best is None:
        tried = "; ".join(f"{p['rate_rps']:.3g} rps: p99 TTFT {p['p99_ttft_ms']:.0f} ms, p99 "
                          f"TPOT {p['p99_tpot_ms'] or 0:.0f} ms" for p in trace) or "none fitted"
        raise MeasurementError(
            f"No request rate met p99 TTFT <= {sc.ttft_bound_ms:g} ms and p99 TPOT <= "
            f"{sc.tpot_bound_ms:g} ms within search_budget_s={sc.search_budget_s:g} (single-"
            f"stream service time {service_s:.3g} s; probes: {tried}).",
            "Loosen generative.scenario.ttft_bound_ms / tpot_bound_ms, use fewer tokens, or "
            "raise generative.scenario.search_budget_s.")
    return best, probes[best], fields
