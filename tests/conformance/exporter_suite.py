"""The conformance suite every exporter inherits: subclass, name the format, and it runs.

A subclass sets `artifact_format` (a name in the `harness.exporters` registry) and `target`, a
backend that takes the format; `runtime_module` skips it where the exporter's toolchain is not
installed. The suite exports a real zoo model through the registry, then checks the Artifact
(format, fp32, file with its sha256 and size), the cache (a second call is a hit with the same
hash) and that the artifact loads on the backend and agrees with the FP32 torch reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from harness.backends.config import TargetConfig
from harness.backends.registry import BACKENDS
from harness.core.artifact import Artifact, ArtifactFormat
from harness.core.cache import ArtifactCache, file_sha256
from harness.export.registry import EXPORTERS
from harness.models.config import ModelConfig
from harness.models.inputs import sample_pool
from tests.conformance.conftest import zoo_model
from tests.conformance.suite import FP32_ATOL, reference_outputs

_BUILT: dict[str, tuple[Artifact, Artifact]] = {}


class ExporterConformance:
    """Inherit this, set `artifact_format` and `target` (and `runtime_module`), and it runs."""

    artifact_format: ClassVar[str]
    target: ClassVar[TargetConfig]
    runtime_module: ClassVar[str] = ""
    model_name: ClassVar[str] = "digits"
    writes_file: ClassVar[bool] = True  # False for an in-memory artifact (the torch module)

    @pytest.fixture(autouse=True)
    def _runtime(self) -> None:
        if self.runtime_module:
            pytest.importorskip(self.runtime_module, reason=f"{self.runtime_module} not installed")

    @pytest.fixture
    def built(self, tmp_path_factory: pytest.TempPathFactory, zoo_dir: Path
              ) -> tuple[Artifact, Artifact]:
        """Return (first, second) export into one fresh cache, built once per test session."""
        if self.artifact_format not in _BUILT:
            cache = ArtifactCache(tmp_path_factory.mktemp(f"export-{self.artifact_format}"))
            model = zoo_model(self.model_name, zoo_dir)
            export = EXPORTERS.get(self.artifact_format)
            cfg = ModelConfig(name=self.model_name)
            _BUILT[self.artifact_format] = (export(model, cfg, cache), export(model, cfg, cache))
        return _BUILT[self.artifact_format]

    def test_registered_by_format(self) -> None:
        assert self.artifact_format in EXPORTERS.names()
        assert callable(EXPORTERS.get(self.artifact_format))
        assert ArtifactFormat(self.artifact_format).value == self.artifact_format

    def test_returns_an_fp32_artifact_of_its_format(self, built) -> None:
        first, _ = built
        assert isinstance(first, Artifact)
        assert first.format == self.artifact_format and str(first.format) == self.artifact_format
        assert first.precision == "fp32" and first.inputs and first.sha256
        if self.writes_file:
            assert first.path is not None and Path(first.path).is_file()
            assert first.sha256 == file_sha256(Path(first.path))
            assert first.size_bytes == Path(first.path).stat().st_size > 0
        else:
            assert first.module is not None
        assert first.describe()["format"] == self.artifact_format

    def test_second_call_hits_the_cache(self, built) -> None:
        first, second = built
        if not self.writes_file:
            pytest.skip("an in-memory artifact has no cache entry")
        assert not first.cache_hit and second.cache_hit
        assert (second.sha256, second.path, second.size_bytes) == (
            first.sha256, first.path, first.size_bytes)

    def test_loads_on_a_backend_and_agrees_with_fp32(self, built, zoo_dir: Path) -> None:
        artifact, _ = built
        backend = BACKENDS.get(self.target.backend)(self.target)
        assert self.artifact_format in backend.formats
        probe = backend.probe()
        if not probe.available:
            pytest.skip(f"{self.target.name}: {probe.reason}")
        model = zoo_model(self.model_name, zoo_dir)
        rows = artifact.inputs[0].shape[0] if not backend.dynamic_batch else 4
        x = sample_pool(model, rows, 0)
        session = backend.load(artifact)
        try:
            got = session.run({model.inputs[0].name: x})[0]
        finally:
            session.close()
        np.testing.assert_allclose(got, reference_outputs(model, x), atol=FP32_ATOL, rtol=1e-3)
