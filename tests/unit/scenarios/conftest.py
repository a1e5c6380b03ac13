"""Real onnxruntime sessions over a tiny MatMul+Relu model, for scenario tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness.backends.base import Backend, Session
from harness.core.artifact import Artifact, TensorSpec
from harness.scenarios import ScenarioConfig

FEATURES = 64


def build_model(path: Path) -> Path:
    """Write a MatMul+Relu model with a dynamic batch dimension and return its path."""
    weight = np.random.default_rng(0).standard_normal((FEATURES, FEATURES)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", FEATURES])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", FEATURES])],
        [numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


class OrtSession:
    """Adapter from an onnxruntime InferenceSession to the harness Session protocol."""

    def __init__(self, path: Path) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.calls = 0

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.calls += 1
        return self.session.run(None, inputs)

    def synchronize(self) -> None:
        pass


class SlowingSession(OrtSession):
    """A real session that gets slower (busy-waits) after a given number of calls."""

    def __init__(self, path: Path, slow_after: int, extra_s: float) -> None:
        super().__init__(path)
        self.slow_after, self.extra_s = slow_after, extra_s

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        out = super().run(inputs)
        if self.calls > self.slow_after:
            end = time.perf_counter() + self.extra_s
            while time.perf_counter() < end:
                pass
        return out


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("model") / "tiny.onnx")


@pytest.fixture()
def session(model_path: Path) -> OrtSession:
    return OrtSession(model_path)


@pytest.fixture(scope="session")
def samples() -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    return [{"x": rng.standard_normal((1, FEATURES)).astype(np.float32)} for _ in range(16)]


def tiny(name: str, **overrides: object) -> ScenarioConfig:
    """A scenario config that finishes in well under a second."""
    base = ScenarioConfig(name=name, warmup_count=5, warmup_s=0.01, min_count=50,
                          min_duration_s=0.1, max_count=100000, max_duration_s=1.0,
                          samples_per_query=8 if name == "multi_stream" else 1,
                          offline_samples=200, target_qps=200.0 if name == "server" else None,
                          latency_bound_ms=50.0 if name == "server" else None)
    return replace(base, **overrides)


@pytest.fixture(name="tiny")
def tiny_fixture():
    """The tiny-config builder, as a fixture (conftest is not importable in importlib mode)."""
    return tiny


@pytest.fixture()
def make_slowing(model_path: Path):
    """Build a SlowingSession over the tiny model."""
    return lambda slow_after, extra_s: SlowingSession(model_path, slow_after, extra_s)


@pytest.fixture()
def load_tiny(model_path: Path) -> Iterator[Callable[[Backend], Session]]:
    """Give a loader of the tiny model (fp32 ONNX, one 1 x 64 input) on a backend; every session
    it loaded is closed when the test ends."""
    artifact = Artifact(path=model_path, format="onnx", precision="fp32",
                        inputs=(TensorSpec("x", (1, FEATURES), "float32"),))
    sessions: list[Session] = []

    def load(backend: Backend) -> Session:
        sessions.append(backend.load(artifact))
        return sessions[-1]

    yield load
    for session in sessions:
        session.close()
