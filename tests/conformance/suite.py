"""The conformance suite every backend inherits: subclass, set `target`, and it runs.

A subclass names its target (a TargetConfig) and, if its runtime is missing, is skipped by
`runtime_module`. The suite builds real artifacts through the harness's own exporter and
quantiser, then checks loading, fidelity against the FP32 torch reference, batch handling,
describe() provenance, input rejection and the close() contract.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import ClassVar

import numpy as np
import pytest
import torch

from harness.backends.base import Backend, Session, SessionClosed
from harness.backends.config import TargetConfig
from harness.backends.profile import NoOperatorProfile, Precision
from harness.backends.registry import BACKENDS
from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import ConfigError, HarnessError, UnsupportedError
from harness.export.formats import fp32_artifact
from harness.models.config import ModelConfig
from harness.models.inputs import calibration_set, sample_pool
from harness.models.source import LoadedModel
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe
from tests.conformance.conftest import zoo_model

SUITE_PRECISIONS = ("fp32", "int8_static", "int8_dynamic")
#: fp32 must match the reference closely; int8 must keep the output's direction (cosine).
FP32_ATOL = 1e-3
INT8_MIN_COSINE = 0.98
_ARTIFACTS: dict[tuple, Artifact] = {}


def reference_outputs(model: LoadedModel, data: np.ndarray) -> np.ndarray:
    """Return the FP32 torch model's first output for `data`."""
    with torch.inference_mode():
        out = model.module(torch.from_numpy(data))
    return (out[0] if isinstance(out, (tuple, list)) else out).numpy()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Return the mean per-row cosine similarity of two output batches."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    num = (a * b).sum(1)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12
    return float((num / den).mean())


class BackendConformance:
    """Inherit this, set `target` (and `runtime_module`), and the backend is checked."""

    target: ClassVar[TargetConfig]
    runtime_module: ClassVar[str] = ""
    model_name: ClassVar[str] = "digits"
    suite_precisions: ClassVar[tuple[str, ...]] = SUITE_PRECISIONS
    batch_n: ClassVar[int] = 4

    @pytest.fixture(autouse=True)
    def _runtime(self) -> None:
        if self.runtime_module:
            pytest.importorskip(self.runtime_module, reason=f"{self.runtime_module} not installed")

    @pytest.fixture
    def backend(self) -> Backend:
        backend = BACKENDS.get(self.target.backend)(self.target)
        probe = backend.probe()
        if not probe.available:
            pytest.skip(f"{self.target.name}: {probe.reason}")
        return backend

    def artifact(self, backend: Backend, precision: str, cache: ArtifactCache,
                 zoo_dir) -> Artifact:
        """Return the backend's artifact at `precision`, exported once per test session."""
        key = (backend.formats[0], precision, self.model_name)
        if key not in _ARTIFACTS:
            model = zoo_model(self.model_name, zoo_dir)
            fp32 = fp32_artifact(model, backend.formats, ModelConfig(name=self.model_name),
                                 cache)
            qcfg = QuantConfig(name=precision, recipe=Recipe(precision), calibration_size=32)
            calib = calibration_set(model, 32, 0) if precision == "int8_static" else None
            _ARTIFACTS[key] = quantise(model, fp32, qcfg, calib, cache)
        return _ARTIFACTS[key]

    def loaded(self, backend: Backend, precision: str, cache, zoo_dir) -> Session:
        """Return a session on the artifact at `precision`."""
        return backend.load(self.artifact(backend, precision, cache, zoo_dir))

    def data(self, rows: int) -> np.ndarray:
        """Return `rows` real inputs of the suite's model."""
        return sample_pool(zoo_model(self.model_name), rows, 0)

    def test_registered_by_name(self) -> None:
        cls = BACKENDS.get(self.target.backend)
        assert issubclass(cls, Backend) and cls.name == self.target.backend
        assert cls.formats and cls.precisions and isinstance(cls.dynamic_batch, bool)

    @pytest.mark.parametrize("precision", SUITE_PRECISIONS)
    def test_outputs_match_fp32_reference(self, backend, precision, conformance_cache,
                                          zoo_dir) -> None:
        if precision not in backend.precisions:
            pytest.skip(f"{backend.name} does not claim {precision}")
        if precision not in self.suite_precisions:
            pytest.skip(f"{type(self).__name__} leaves {precision} out to keep the suite fast")
        session = self.loaded(backend, precision, conformance_cache, zoo_dir)
        model = zoo_model(self.model_name, zoo_dir)
        x = self.data(8)
        got = np.concatenate([session.run({model.inputs[0].name: x[i : i + 1]})[0]
                              for i in range(len(x))])
        want = reference_outputs(model, x)
        assert got.shape == want.shape and isinstance(got, np.ndarray)
        if precision == "fp32":
            np.testing.assert_allclose(got, want, atol=FP32_ATOL, rtol=1e-3)
        else:
            assert cosine(got, want) >= INT8_MIN_COSINE
        session.close()

    def test_batch_sizes(self, backend, conformance_cache, zoo_dir) -> None:
        session = self.loaded(backend, "fp32", conformance_cache, zoo_dir)
        name = zoo_model(self.model_name, zoo_dir).inputs[0].name
        x = self.data(self.batch_n)
        one = session.run({name: x[:1]})[0]
        assert one.shape[0] == 1
        if backend.dynamic_batch:
            many = session.run({name: x})[0]
            assert many.shape[0] == self.batch_n
            np.testing.assert_allclose(many[:1], one, atol=FP32_ATOL, rtol=1e-3)
        else:
            with pytest.raises(UnsupportedError, match="static batch"):
                session.run({name: x})
        session.close()

    def test_describe_has_provenance(self, backend, conformance_cache, zoo_dir) -> None:
        session = self.loaded(backend, "fp32", conformance_cache, zoo_dir)
        info = session.describe()
        for field in ("runtime", "runtime_version", "device"):
            assert info.get(field), f"describe() lacks {field}: {info}"
        assert isinstance(backend.version(), str) and backend.version()
        session.close()

    def test_close_contract(self, backend, conformance_cache, zoo_dir) -> None:
        session = self.loaded(backend, "fp32", conformance_cache, zoo_dir)
        name = zoo_model(self.model_name, zoo_dir).inputs[0].name
        session.run({name: self.data(1)})
        session.close()
        session.close()  # twice is safe
        with pytest.raises(SessionClosed):
            session.run({name: self.data(1)})

    def test_rejects_wrong_inputs(self, backend, conformance_cache, zoo_dir) -> None:
        session = self.loaded(backend, "fp32", conformance_cache, zoo_dir)
        name = zoo_model(self.model_name, zoo_dir).inputs[0].name
        x = self.data(1)
        with pytest.raises(UnsupportedError, match="input names"):
            session.run({"not_an_input": x})
        with pytest.raises(UnsupportedError, match="shape"):
            session.run({name: x[..., :-1]})
        session.close()

    def test_rejects_wrong_format(self, backend, conformance_cache, zoo_dir) -> None:
        good = self.artifact(backend, "fp32", conformance_cache, zoo_dir)
        with pytest.raises(UnsupportedError, match="cannot load"):
            backend.load(replace(good, format="not-a-format"))
        with pytest.raises(HarnessError):
            backend.load(replace(good, precision="int3"))

    def test_operator_profile(self, backend, conformance_cache, zoo_dir, tmp_path) -> None:
        """load_profiled: a profile of exactly the runs after begin_profile(), every node with
        a time, a precision and a provider, the runtime's trace in the folder; or, without a
        profiler, NoOperatorProfile saying "no operator profile for <backend>"."""
        artifact = self.artifact(backend, "fp32", conformance_cache, zoo_dir)
        if backend.profiler is None:
            with pytest.raises(NoOperatorProfile, match=f"no operator profile for {backend.name}"):
                backend.load_profiled(artifact)
            return
        try:
            session = backend.load_profiled(artifact)
        except NoOperatorProfile as exc:  # a runtime build without a profiler says why
            assert backend.name in exc.message and exc.hint
            return
        name = zoo_model(self.model_name, zoo_dir).inputs[0].name
        x = {name: self.data(1)}
        session.run(x)  # warm-up, left out
        session.begin_profile()
        for _ in range(3):
            assert session.run(x)[0].shape[0] == 1
        profile = session.end_profile(tmp_path / "profile")
        session.close()
        session.close()
        assert profile.runs == 3 and profile.profiler == backend.profiler and profile.nodes
        assert all(n.time_ns >= 0 and n.precision in Precision.ALL and n.provider and n.op_type
                   for n in profile.nodes)
        assert sum(n.time_ns for n in profile.nodes) > 0
        assert profile.trace_files and all((tmp_path / "profile" / f).is_file()
                                           for f in profile.trace_files)

    def test_rejects_unknown_option(self) -> None:
        bad = replace(self.target, options={**self.target.options, "no_such_option": 1})
        with pytest.raises(ConfigError, match="Valid target.options"):
            BACKENDS.get(self.target.backend)(bad)


def import_ok(module: str) -> bool:
    """Return whether `module` imports here."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
