"""One owner of the sessions: every session a run opens is closed exactly once, on every path.

Real onnxruntime sessions over a tiny MatMul+Relu model, each wrapped to count its close()
calls; the injected failure is a real session whose run() raises from a chosen trial on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.backends.base import Session
from harness.backends.config import TargetConfig
from harness.backends.onnxruntime_backend import OnnxRuntimeBackend
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact, TensorSpec
from harness.core.errors import MeasurementError
from harness.energy.base import NullMeter
from harness.energy.config import MeterConfig
from harness.records.schema import Status
from harness.run.job import run_composed
from harness.run.measure import measure
from harness.run.sessions import TrialSessions
from harness.scenarios import ScenarioConfig
from tests.faults.conftest import FAST, compose_config

SPEC = TensorSpec("x", (1, 4), "float32")
SAMPLES = [{"x": np.full((1, 4), i, dtype=np.float32)} for i in range(4)]
TINY = ScenarioConfig(warmup_count=3, warmup_s=0.0, min_count=20, min_duration_s=0.02,
                      max_duration_s=0.5, trials=3)


class Injected(MeasurementError):
    """The failure a test injects into a session's run()."""


class Counted(Session):
    """A real session that counts close() calls and can be told to fail in run()."""

    def __init__(self, inner: Session, fail: bool = False) -> None:
        self.inner, self.fail, self.closes, self.runs = inner, fail, 0, 0

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.runs += 1
        if self.fail:
            raise Injected("injected failure in run()", "none: a test")
        return self.inner.run(inputs)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    def close(self) -> None:
        self.closes += 1
        self.inner.close()


@pytest.fixture
def artifact(tiny_onnx: Artifact) -> Artifact:
    """The tiny MatMul + Relu model of tests/unit/conftest.py."""
    return tiny_onnx


def loader(artifact: Artifact, fail_from: int | None = None) -> tuple[Any, list[Counted]]:
    """Return (load, opened): load() opens a counted real session; the fail_from-th fails."""
    backend = create_backend(TargetConfig(backend="onnxruntime", threads=1))
    opened: list[Counted] = []

    def load() -> Session:
        fail = fail_from is not None and len(opened) >= fail_from
        opened.append(Counted(backend.load(artifact), fail))
        return opened[-1]

    return load, opened


def run_measure(sessions: TrialSessions, tmp_path: Path) -> tuple[dict, dict]:
    return measure(sessions, SAMPLES, TINY, NullMeter(), MeterConfig(name="none"), tmp_path)


def test_three_trials_three_sessions_each_closed_once(artifact: Artifact, tmp_path: Path) -> None:
    load, opened = loader(artifact)
    with TrialSessions(load) as sessions:
        first = sessions.first()
        first.run(SAMPLES[0])  # the first inference, as execute() does
        warm_runs = first.runs
        scenario, _ = run_measure(sessions, tmp_path)
        assert [s.closes for s in opened] == [1, 1, 0]  # the last one is open until the exit
    assert len(opened) == 3 and [s.closes for s in opened] == [1, 1, 1]
    assert opened[0] is first and first.runs > warm_runs  # trial 0 ran on the warm first one
    assert all(s.runs >= TINY.warmup_count + TINY.min_count for s in opened)
    assert len(scenario["trials"]) == 3 and scenario["trials"][-1] == {"latest": True}
    assert scenario["trial_spread"]["trials"] == 3


def test_failure_in_a_later_trial_closes_every_session_once(artifact: Artifact,
                                                           tmp_path: Path) -> None:
    load, opened = loader(artifact, fail_from=2)  # the third session (trial 2 of 3) raises
    with pytest.raises(Injected), TrialSessions(load) as sessions:
        sessions.first()
        run_measure(sessions, tmp_path)
    assert len(opened) == 3 and [s.closes for s in opened] == [1, 1, 1]
    assert opened[2].runs == 1


def test_failure_loading_a_later_session_closes_the_earlier_ones_once(
        artifact: Artifact, tmp_path: Path) -> None:
    load, opened = loader(artifact)

    def load_twice() -> Session:
        if len(opened) == 2:
            raise Injected("the device went away", "none: a test")
        return load()

    with pytest.raises(Injected), TrialSessions(load_twice) as sessions:
        run_measure(sessions, tmp_path)  # trial 0 loads the first session itself
    assert [s.closes for s in opened] == [1, 1]


def test_failure_closing_keeps_the_runs_own_error(artifact: Artifact) -> None:
    load, opened = loader(artifact, fail_from=0)

    def broken_close() -> None:
        raise OSError("driver gone")

    with pytest.raises(Injected) as info, TrialSessions(load) as sessions:
        session = sessions.first()
        session.close = broken_close  # type: ignore[method-assign]
        session.run(SAMPLES[0])
    assert any("driver gone" in note for note in info.value.__notes__)


def test_trials_must_come_in_order(artifact: Artifact) -> None:
    load, opened = loader(artifact)
    with TrialSessions(load) as sessions:
        sessions(0)
        with pytest.raises(RuntimeError):
            sessions(2)
        sessions(1)
        with pytest.raises(RuntimeError):
            sessions.first()
    assert [s.closes for s in opened] == [1, 1]


@pytest.mark.parametrize("fail_from", [None, 2])
def test_a_whole_run_closes_every_session_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               fail_from: int | None) -> None:
    """Through execute(): first inference, accuracy and trial 0 share the first session."""
    opened: list[Counted] = []
    real_load = OnnxRuntimeBackend.load

    def counted_load(self: OnnxRuntimeBackend, art: Artifact) -> Session:
        opened.append(Counted(real_load(self, art), fail_from is not None
                              and len(opened) >= fail_from))
        return opened[-1]

    monkeypatch.setattr(OnnxRuntimeBackend, "load", counted_load)
    cfg = compose_config("model=digits", f"cache_dir={tmp_path / 'cache'}", *FAST,
                         "scenario.trials=3", "meter=none")
    record = run_composed(cfg, tmp_path / "out")
    assert len(opened) == 3 and [s.closes for s in opened] == [1, 1, 1]
    if fail_from is None:
        assert record.status is Status.ok, record.reason
        assert len(record.scenario.get("trials")) == 3
    else:
        assert record.status is Status.failed and "injected" in record.reason



def test_after_trials_closes_the_last_trial_and_owns_the_new_session(artifact: Artifact) -> None:
    load, opened = loader(artifact)
    with TrialSessions(load) as sessions:
        sessions(0)
        sessions(1)
        extra = sessions.after_trials(load)
        assert [s.closes for s in opened] == [1, 1, 0] and extra is opened[2]
        with pytest.raises(RuntimeError, match="after the trials ended"):
            sessions(2)
        with pytest.raises(RuntimeError):
            sessions.after_trials(load)
    assert [s.closes for s in opened] == [1, 1, 1]
