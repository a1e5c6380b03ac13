"""Native engine scenarios on a real onnxruntime session."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from harness.core.errors import ConfigError, MeasurementError
from harness.scenarios import run_scenario, run_trials
from harness.scenarios.native_loop import ORDER_LENGTH, mlperf_order


class CountingWindow:
    """A window (energy-meter stand-in) that records when it is entered and left."""

    def __init__(self, session) -> None:
        self.session, self.enters, self.calls_at_enter, self.calls_at_exit = session, 0, -1, -1

    def __enter__(self) -> CountingWindow:
        self.enters += 1
        self.calls_at_enter = self.session.calls
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls_at_exit = self.session.calls


def test_single_stream(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("single_stream"))
    assert result.query_count == len(result.latencies_ns) >= 50
    assert result.duration_ns >= 0.1e9 and result.headline_metric == "p90_latency"
    assert result.summary.p50 is not None and result.headline_value > 0
    assert not result.compliant and any("non-compliant" in w for w in result.warnings)
    json.dumps(asdict(result))  # plain types only


def test_multi_stream_counts_samples(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("multi_stream"))
    assert result.sample_count == 8 * result.query_count
    assert result.headline_metric == "p99_latency"


def test_multi_stream_batched(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("multi_stream", batch_samples=True))
    assert result.sample_count == 8 * result.query_count


def test_offline_throughput(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("offline"))
    assert result.query_count == 1 and result.sample_count >= 200
    assert result.headline_metric == "throughput" and result.headline_unit == "samples/s"
    assert result.headline_value == pytest.approx(result.throughput_sps)


def test_server_valid_with_generous_bound(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("server", target_qps=300.0))
    assert result.valid is True and result.query_count >= 50
    assert result.extra["scheduled_qps"] == pytest.approx(300.0, rel=0.35)


def test_server_invalid_when_bound_impossible(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("server", latency_bound_ms=1e-6))
    assert result.valid is False


def test_server_search_finds_a_valid_qps(session, samples, tiny) -> None:
    cfg = tiny("server", search_qps=True, search_budget_s=3.0, min_duration_s=0.05,
               min_count=30, latency_bound_ms=20.0)
    result = run_scenario(session, samples, cfg)
    trace = result.extra["search_trace"]
    assert trace and result.extra["search_max_qps"] > 0
    assert any(p["valid"] for p in trace)


def test_window_entered_once_around_timed_region(session, samples, tiny) -> None:
    window = CountingWindow(session)
    result = run_scenario(session, samples, tiny("single_stream"), window=window)
    assert window.enters == 1
    assert window.calls_at_enter == result.warmup_count
    assert window.calls_at_exit - window.calls_at_enter == result.query_count


def test_drift_warning_for_slowing_session(make_slowing, samples, tiny) -> None:
    slowing = make_slowing(5 + 150, 0.0005)
    cfg = tiny("single_stream", min_count=300, max_count=300, warmup_s=0.0, max_duration_s=5.0)
    result = run_scenario(slowing, samples, cfg)
    assert result.query_count == 300
    assert any(w.startswith("drift") for w in result.warnings)


def test_trials_report_spread(session, samples, tiny) -> None:
    asked, windows = [], []

    def session_for_trial(trial: int):
        asked.append(trial)
        return session

    def window_factory() -> CountingWindow:
        windows.append(CountingWindow(session))
        return windows[-1]

    results, spread = run_trials(session_for_trial, samples, tiny("single_stream", trials=2),
                                 window_factory)
    assert len(results) == 2 and spread.trials == 2 and spread.mean_ns > 0
    assert asked == [0, 1] and [w.enters for w in windows] == [1, 1]
    assert windows[1].calls_at_enter > windows[0].calls_at_exit  # in order, one window each


def test_bad_config_and_empty_samples(session, samples, tiny) -> None:
    with pytest.raises(ConfigError):
        run_scenario(session, samples, tiny("server", target_qps=None))
    with pytest.raises(ConfigError):
        run_scenario(session, samples, tiny("single_stream", min_count=10, max_count=5))
    with pytest.raises(MeasurementError):
        run_scenario(session, [], tiny("single_stream"))
    with pytest.raises(ConfigError):
        run_scenario(session, samples, tiny("single_stream", engine="loadgen"))


def test_scenario_yaml_files_load(tmp_path: Path) -> None:
    from omegaconf import OmegaConf

    from harness.scenarios import ScenarioConfig
    from harness.scenarios.config import validate

    root = Path(__file__).resolve().parents[3] / "configs" / "scenario"
    for name in ("single_stream", "multi_stream", "offline", "server"):
        merged = OmegaConf.merge(OmegaConf.structured(ScenarioConfig),
                                 OmegaConf.load(root / f"{name}.yaml"))
        assert validate(OmegaConf.to_object(merged)).name.value == name


def test_mlperf_order_is_uniform_seeded_and_bounded() -> None:
    queries = list(range(8))
    order = mlperf_order(queries, 80_000, seed=3)
    assert len(order) == ORDER_LENGTH and order == mlperf_order(queries, 80_000, seed=3)
    assert order != mlperf_order(queries, 80_000, seed=4)
    counts = np.bincount(order, minlength=8)
    assert counts.min() > 0.9 * ORDER_LENGTH / 8 and counts.max() < 1.1 * ORDER_LENGTH / 8
    assert len(mlperf_order(queries, 5, seed=0)) == 5


class RecordingSession:
    """Wraps a real session and records which input dict each run received."""

    def __init__(self, inner) -> None:
        self.inner, self.seen = inner, []

    def run(self, inputs):
        self.seen.append(id(inputs))
        return self.inner.run(inputs)

    def synchronize(self) -> None:
        self.inner.synchronize()


@pytest.mark.parametrize("name", ["single_stream", "server"])
def test_timed_queries_follow_the_seeded_uniform_order(session, samples, tiny, name) -> None:
    # Like LoadGen's performance mode, not the cyclic order the warm-up uses.
    recorder = RecordingSession(session)
    cfg = tiny(name, seed=7, max_duration_s=2.0)
    result = run_scenario(recorder, samples, cfg)
    timed = recorder.seen[-result.query_count:]
    expected = [id(s) for s in mlperf_order(samples, ORDER_LENGTH, seed=7)][:result.query_count]
    assert timed == expected
    assert timed != [id(samples[i % len(samples)]) for i in range(result.query_count)]
