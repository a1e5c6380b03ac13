"""The operator profile in a whole run: after the trials, in its own session, on the run's
inputs; saved beside the record and summarised in its typed `profile` section.

Real runs through execute(), in-process, with real onnxruntime, on a small conv net given as an
ONNX file (model=onnx_file: no data set, so no task metric; int8 calibrated on seeded noise)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from harness.backends.base import Backend, ProfiledSession, Session
from harness.backends.onnxruntime_backend import OnnxRuntimeBackend, OnnxRuntimeOptions
from harness.backends.profile import OperatorProfile
from harness.core.artifact import Artifact
from harness.records.io import iter_records
from harness.records.schema import Status
from harness.records.sections import ProfileSection
from harness.run.job import run_composed
from tests.faults.conftest import FAST, compose_config
from tests.unit.backends.conv_net import write_conv_net


class PlainBackend(Backend):
    """onnxruntime's sessions behind a backend that does not implement load_profiled()."""

    name: ClassVar[str] = "plain"
    formats: ClassVar[tuple[str, ...]] = ("onnx",)
    options_cls: ClassVar[type] = OnnxRuntimeOptions

    def load(self, artifact: Artifact) -> Session:
        return OnnxRuntimeBackend(self.target).load(artifact)


def _run(tmp_path: Path, *overrides: str):
    model = write_conv_net(tmp_path / "conv_net.onnx", dynamic_batch=True)
    cfg = compose_config("model=onnx_file", f"model.path={model}",
                         f"cache_dir={tmp_path / 'cache'}", *FAST, "meter=none",
                         "target.threads=1", *overrides)
    return run_composed(cfg, tmp_path / "out")


def test_int8_run_profiles_by_default_and_writes_the_profile_beside_the_record(
        tmp_path: Path) -> None:
    record = _run(tmp_path, "quant=int8_static", "quant.calibration_size=16", "profile.runs=5")
    assert record.status is Status.ok, record.reason
    (read,) = iter_records(tmp_path / "out")  # the side files under runs/ are not records
    profile = read.profile
    assert isinstance(profile, ProfileSection) and profile.reason is None
    assert profile.runs == 5 and profile.profiler == OnnxRuntimeBackend.profiler
    assert 0 < profile.int8_fraction <= 1 and profile.total_time_ns > 0
    assert profile.top_op_types[0]["op_type"] and 0 < profile.top_op_types[0]["time_share"] <= 1
    assert profile.fp32_fallback_nodes >= 0 and profile.other_provider_nodes == 0
    full = json.loads((tmp_path / "out" / profile.path).read_text())
    assert full["runs"] == 5 and {n["precision"] for n in full["nodes"]} >= {"int8"}
    assert all((tmp_path / "out" / f).is_file() for f in profile.get("trace_files"))
    assert read.phases_s["profile"] > 0


def test_fp32_runs_take_no_profile_unless_asked(tmp_path: Path) -> None:
    record = _run(tmp_path, "quant=fp32")
    assert record.status is Status.ok and not record.profile and "profile" not in record.phases_s
    assert not (tmp_path / "out" / "runs" / record.run_id / "profile.json").exists()


def test_a_backend_without_a_profiler_says_so_and_the_run_is_ok(tmp_path: Path) -> None:
    record = _run(tmp_path, "target.backend=tests.unit.run.test_profile_run:PlainBackend",
                  "profile.enabled=true")
    assert record.status is Status.ok, record.reason
    assert record.profile.reason == "no operator profile for plain"
    assert record.scenario.summary.count > 0


class Logged(ProfiledSession):
    """A real session that logs every load, run (with its inputs' ids) and close."""

    def __init__(self, inner: Session, log: list, kind: str) -> None:
        self.inner, self.log, self.kind = inner, log, kind
        log.append((kind, "load", id(self)))

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.log.append((self.kind, "run", id(inputs)))
        return self.inner.run(inputs)

    def begin_profile(self) -> None:
        self.log.append((self.kind, "begin", None))
        self.inner.begin_profile()

    def end_profile(self, folder: Path) -> OperatorProfile:
        return self.inner.end_profile(folder)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    def close(self) -> None:
        self.log.append((self.kind, "close", id(self)))
        self.inner.close()


def test_timed_trials_never_run_on_the_profiled_session(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    log: list[tuple[str, str, Any]] = []
    real_load, real_profiled = OnnxRuntimeBackend.load, OnnxRuntimeBackend.load_profiled
    monkeypatch.setattr(OnnxRuntimeBackend, "load",
                        lambda self, art: Logged(real_load(self, art), log, "trial"))
    monkeypatch.setattr(OnnxRuntimeBackend, "load_profiled",
                        lambda self, art: Logged(real_profiled(self, art), log, "profile"))
    record = _run(tmp_path, "quant=int8_static", "quant.calibration_size=16",
                  "scenario.trials=2", "profile.runs=7", "profile.warmup_runs=3")
    assert record.status is Status.ok, record.reason
    kinds = [kind for kind, _, _ in log]
    first_profile = kinds.index("profile")
    assert "trial" not in kinds[first_profile:]  # nothing timed after the profile began
    assert [e for e in log[:first_profile] if e[1] == "close"]  # the trials' sessions closed
    assert log[first_profile - 1][:2] == ("trial", "close")  # ...before it was loaded
    profiled_runs = [i for kind, event, i in log if kind == "profile" and event == "run"]
    assert len(profiled_runs) == 3 + 7 and record.profile.runs == 7
    trial_inputs = {i for kind, event, i in log if kind == "trial" and event == "run"}
    assert set(profiled_runs) <= trial_inputs  # the run's own prepared inputs
    trial_queries = sum(1 for kind, event, _ in log if kind == "trial" and event == "run")
    assert record.scenario.query_count < trial_queries  # the timed queries are trial runs
    assert log[-1][:2] == ("profile", "close")
