"""A runtime's own per-run timer (OpenVINO's InferRequest.latency) read beside our clock."""

from __future__ import annotations

import numpy as np
import pytest

from harness.core import stats
from harness.scenarios import run_scenario


def test_sessions_without_a_timer_record_none(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("single_stream"))
    assert "runtime_timer" not in result.extra


@pytest.fixture()
def openvino_session(load_tiny):
    pytest.importorskip("openvino", reason="OpenVINO not installed (extra: openvino)")
    from harness.backends.config import TargetConfig
    from harness.backends.registry import create_backend

    target = TargetConfig(name="openvino_cpu", backend="openvino", device="CPU", threads=1,
                          options={"cache_dir": ""})
    return load_tiny(create_backend(target))


def test_openvino_timer_sits_inside_our_latency(openvino_session, samples, tiny) -> None:
    result = run_scenario(openvino_session, samples, tiny("single_stream"))
    timer = result.extra["runtime_timer"]
    assert "InferRequest.latency" in timer["source"]
    assert timer["summary"]["count"] == result.query_count
    ours_p50 = stats.percentile(np.asarray(result.latencies_ns), 0.5)
    runtime_p50 = timer["summary"]["p50"]["value_ns"]
    # OpenVINO times the C++ call inside our session.run(): never longer than what we saw.
    assert 0 < runtime_p50 < ours_p50
    assert timer["wall_minus_runtime_p50_ns"] > 0


def test_multi_stream_queries_have_no_runtime_timer(openvino_session, samples, tiny) -> None:
    result = run_scenario(openvino_session, samples, tiny("multi_stream"))
    assert "runtime_timer" not in result.extra  # 8 runs per query: one timer value won't do
