"""The harness's own overhead: null session and bare loop vs native loop."""

from __future__ import annotations

import statistics

from harness.scenarios import bare_loop_ns, measure_overhead_ns, run_scenario


def test_null_session_overhead_is_small(tiny) -> None:
    overhead_ns = measure_overhead_ns(tiny("single_stream", min_count=2000, max_count=2000))
    print(f"native loop overhead on a null session: {overhead_ns:.0f} ns/query")
    assert 0 < overhead_ns < 1e6


def test_native_loop_close_to_bare_loop(session, samples, tiny) -> None:
    bare = statistics.median(bare_loop_ns(session, samples[0], 500) for _ in range(5))
    native = statistics.median(
        run_scenario(session, samples[:1], tiny("single_stream", min_count=500, max_count=500,
                                                 min_duration_s=0.0)).summary.p50.value_ns
        for _ in range(5))
    print(f"bare loop {bare:.0f} ns, native p50 {native:.0f} ns, ratio {native / bare:.3f}")
    assert native / bare < 3.0  # sanity only: machines are noisy
