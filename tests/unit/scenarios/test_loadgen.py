"""LoadGen engine on a real onnxruntime session; logs kept in tmp_path."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from harness.scenarios import run_scenario

pytest.importorskip("mlperf_loadgen")


def test_loadgen_single_stream(session, samples, tiny, tmp_path) -> None:
    cfg = tiny("single_stream", engine="loadgen", min_duration_s=0.5, min_count=64)
    result = run_scenario(session, samples, cfg, log_dir=tmp_path)
    for name in ("mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_trace.json"):
        assert (tmp_path / name).is_file()
    summary = result.extra["loadgen_summary"]
    assert summary["Scenario"] == "SingleStream"
    assert summary["Result is"] == "VALID", (tmp_path / "mlperf_log_summary.txt").read_text()
    assert result.valid is True and result.engine == "loadgen" and not result.compliant
    assert result.query_count == summary_queries(result) >= 64
    # Our percentile of LoadGen's own per-query latencies equals LoadGen's reported p90.
    assert result.headline_value == summary["90.0th percentile latency (ns)"]
    assert result.extra["loadgen_detail"]["early_stopping_met"] is True
    # The same queries timed inside our callback: LoadGen's latency adds its own cost on top.
    cost = result.extra["loadgen_own_cost"]
    assert cost["queries"] == result.query_count
    assert 0 < cost["session_p90_ns"] < result.headline_value
    assert cost["loadgen_minus_session_p90_ns"] == result.headline_value - cost["session_p90_ns"]
    json.dumps(asdict(result))


def test_loadgen_multi_stream_completes_every_sample(session, samples, tiny, tmp_path) -> None:
    # Reused response objects must carry each query's 4 ids, or LoadGen would never finish.
    cfg = tiny("multi_stream", engine="loadgen", samples_per_query=4, min_duration_s=0.2,
               min_count=20)
    result = run_scenario(session, samples, cfg, log_dir=tmp_path)
    assert result.query_count >= 20 and result.sample_count == 4 * result.query_count
    assert result.extra["loadgen_own_cost"]["queries"] == result.query_count


def summary_queries(result) -> int:
    return result.extra["loadgen_detail"]["result_query_count"]


def test_loadgen_offline(session, samples, tiny, tmp_path) -> None:
    cfg = tiny("offline", engine="loadgen", min_duration_s=0.2, offline_samples=500)
    result = run_scenario(session, samples, cfg, log_dir=tmp_path)
    assert result.sample_count >= 500 and result.throughput_sps > 0
    assert result.extra["loadgen_summary"]["Samples per second"] > 0


def test_loadgen_server_poisson(session, samples, tiny, tmp_path) -> None:
    cfg = tiny("server", engine="loadgen", min_duration_s=0.3, min_count=50, target_qps=200.0)
    result = run_scenario(session, samples, cfg, log_dir=tmp_path)
    assert result.query_count >= 50
    assert result.headline_value == result.extra["loadgen_detail"][
        "result_99.00_percentile_latency_ns"]
