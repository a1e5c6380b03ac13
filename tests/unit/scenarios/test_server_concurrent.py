"""Server scenario with scenario.max_in_flight > 1: N queries outstanding, forks closed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from harness.core.errors import ConfigError, UnsupportedError
from harness.scenarios import ScenarioConfig
from harness.scenarios.runner import run_scenario
from tests.unit.scenarios.conftest import OrtSession


class WaitingSession(OrtSession):
    """A real onnxruntime session whose run() also waits 4 ms with the GIL released (a network
    round trip's worth), and which counts how many of its family are in flight at once."""

    def __init__(self, path: Path, family: dict) -> None:
        super().__init__(path)
        self.path, self.family, self.closed = path, family, False

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        with self.family["lock"]:
            self.family["now"] += 1
            self.family["peak"] = max(self.family["peak"], self.family["now"])
        try:
            time.sleep(0.004)
            return super().run(inputs)
        finally:
            with self.family["lock"]:
                self.family["now"] -= 1

    def fork(self) -> WaitingSession:
        fork = WaitingSession(self.path, self.family)
        self.family["forks"].append(fork)
        return fork

    def close(self) -> None:
        self.closed = True


def _family() -> dict:
    return {"lock": threading.Lock(), "now": 0, "peak": 0, "forks": []}


def test_n_in_flight_overlap_and_forks_are_closed(model_path: Path, samples, tiny) -> None:
    family = _family()
    session = WaitingSession(model_path, family)
    cfg = tiny("server", target_qps=800.0, latency_bound_ms=1000.0, max_in_flight=4)
    result = run_scenario(session, samples, cfg)
    assert family["peak"] == 4  # arrivals every 1.25 ms, 4 ms each: all four workers busy
    assert len(family["forks"]) == 4 and all(f.closed for f in family["forks"])
    assert result.extra["max_in_flight"] == 4
    assert min(result.latencies_ns) >= 4e6  # every latency includes its own 4 ms
    assert result.query_count == len(result.latencies_ns) > 0


def test_one_in_flight_never_overlaps(model_path: Path, samples, tiny) -> None:
    family = _family()
    run_scenario(WaitingSession(model_path, family), samples,
                 tiny("server", target_qps=800.0, latency_bound_ms=1000.0))
    assert family["peak"] == 1 and family["forks"] == []


def test_a_session_without_fork_is_refused_clearly(session, samples, tiny) -> None:
    with pytest.raises(UnsupportedError, match="max_in_flight=2.*runs one query at a time"):
        run_scenario(session, samples, tiny("server", target_qps=100.0, latency_bound_ms=10.0,
                                            max_in_flight=2))


@pytest.mark.parametrize(("fields", "words"), [
    ({"name": "single_stream", "max_in_flight": 2}, "server scenario only"),
    ({"name": "server", "target_qps": 10.0, "latency_bound_ms": 10.0, "max_in_flight": 2,
      "engine": "loadgen"}, "native engine only"),
    ({"name": "server", "target_qps": 10.0, "latency_bound_ms": 10.0, "max_in_flight": 0},
     "max_in_flight"),
])
def test_bad_max_in_flight_fails_at_composition(fields: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        ScenarioConfig(**fields)


class _Window:
    """A window that notes when it opens, as the energy meter's window would."""

    def __init__(self, family: dict) -> None:
        self.family, self.runs_before_open = family, None

    def __enter__(self) -> _Window:
        self.runs_before_open = sum(f.runs for f in self.family["forks"])
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class CountingSession(WaitingSession):
    """A WaitingSession that counts its runs (to see when the warm-up happens)."""

    runs = 0

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.runs += 1
        return super().run(inputs)

    def fork(self) -> CountingSession:
        fork = CountingSession(self.path, self.family)
        self.family["forks"].append(fork)
        return fork


def test_the_forks_warm_up_before_the_timed_window_opens(model_path: Path, samples,
                                                          tiny) -> None:
    family = _family()
    window = _Window(family)
    run_scenario(CountingSession(model_path, family), samples,
                 tiny("server", target_qps=800.0, latency_bound_ms=1000.0, max_in_flight=3),
                 window=window)
    assert window.runs_before_open == 3  # each fork's warm-up query ran outside the window
