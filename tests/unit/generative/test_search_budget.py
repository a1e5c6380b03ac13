"""The server-rate search plans every probe inside its budget (pure functions, hand-checked)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.generative.config import GenScenario, GenScenarioConfig
from harness.generative.scenarios import arrival_offsets_ns
from harness.generative.search import MIN_PROBE_REQUESTS, probe_requests, probe_s, search_rate
from harness.generative.trace import RequestTrace

MS = 1_000_000


def test_probe_length_is_last_arrival_plus_service_or_the_backlog() -> None:
    last = arrival_offsets_ns(8, 0.5, 0)[-1] / 1e9  # 5.33 s at 1 rps: 10.7 s at 0.5 rps
    assert probe_s(8, 0.5, 1.0, 1) == pytest.approx(last + 1.0)
    # far above capacity the backlog rules: 8 requests of 1 s on one worker, or on 4
    assert probe_s(8, 100.0, 1.0, 1) == pytest.approx(8.0)
    assert probe_s(8, 100.0, 1.0, 4) == pytest.approx(2.0)


def test_a_probe_shrinks_to_fit_then_refuses() -> None:
    assert probe_requests(0.5, 1e9, 1.0, 8, 1) == 8
    fits = probe_requests(0.5, 10.0, 1.0, 8, 1)
    assert MIN_PROBE_REQUESTS <= fits < 8 and probe_s(fits, 0.5, 1.0, 1) <= 10.0
    assert probe_s(fits + 1, 0.5, 1.0, 1) > 10.0
    assert probe_requests(0.5, 3.5, 1.0, 8, 1) == 0  # not even 4 requests fit (4.44 s)


def queue(service_s: float, out: int = 8) -> Callable[[float, int], list[RequestTrace]]:
    """Return run_at(rate, n): the traces of one FIFO worker serving n Poisson arrivals, each
    for service_s (first token after a tenth of it), computed, not slept."""

    def run_at(rate: float, n: int) -> list[RequestTrace]:
        free, traces = 0, []
        step = int(service_s * 0.9 / max(out - 1, 1) * 1e9)
        for arrival in arrival_offsets_ns(n, rate, 0):
            start = max(arrival, free)
            first = start + int(service_s * 0.1 * 1e9)
            traces.append(RequestTrace(arrival, 16, [first + k * step for k in range(out)]))
            free = start + int(service_s * 1e9)
        return traces

    return run_at


def test_the_search_finds_a_valid_rate_below_capacity_within_its_planned_budget() -> None:
    cfg = GenScenarioConfig(name=GenScenario.server, search_rate=True, ttft_bound_ms=2500,
                            tpot_bound_ms=200, search_budget_s=120)
    best, probes = search_rate(queue(1.0), 1.0, 8, cfg)
    assert best is not None and 0.1 < best < 1.0
    assert all(p["valid"] == (p["p99_ttft_ms"] <= 2500) for p in probes)
    assert max(p["rate_rps"] for p in probes if p["valid"]) == best
    assert all(probe_s(p["requests"], p["rate_rps"], 1.0, 1) <= 120 for p in probes)


def test_a_tight_budget_ends_the_search_with_what_it_has() -> None:
    cfg = GenScenarioConfig(name=GenScenario.server, search_rate=True, ttft_bound_ms=2500,
                            search_budget_s=3.5)  # 4 requests of 1 s need 4.44 s here
    assert search_rate(queue(1.0), 1.0, 8, cfg) == (None, [])
