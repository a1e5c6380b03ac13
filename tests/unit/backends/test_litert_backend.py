"""LiteRT: user .tflite files (fp32 and int8, written with LiteRT's schema), delegate errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert", reason="ai-edge-litert not installed (extra litert)")

from harness.backends.config import TargetConfig  # noqa: E402
from harness.backends.registry import BACKENDS  # noqa: E402
from harness.core.cache import ArtifactCache  # noqa: E402
from harness.core.errors import (  # noqa: E402
    BackendUnavailable,
    ConfigError,
    ModelError,
    QuantisationError,  # noqa: E402
)
from harness.export.registry import EXPORTERS  # noqa: E402
from harness.models.config import ModelConfig, ModelSource  # noqa: E402
from harness.models.source import load_model  # noqa: E402
from harness.quantise.config import QuantConfig, Recipe  # noqa: E402
from harness.quantise.registry import QUANTISERS  # noqa: E402
from tests.unit.backends import tflite_builders as tb  # noqa: E402

X = np.array([[0.5, -0.3, 0.2, 0.9]], dtype=np.float32)


def backend(**options):
    """Return the LiteRT backend with `options`."""
    return BACKENDS.get("litert")(TargetConfig(name="litert_cpu", backend="litert",
                                               device="cpu", options=options))


def user_model(path: Path):
    """Return the tflite_file model of `path`."""
    cfg = ModelConfig(name="fc", source=ModelSource.tflite_file, path=str(path))
    return load_model(cfg, path.parent), cfg


@pytest.mark.parametrize(("build", "precision", "atol"),
                         [(tb.fc_fp32, "fp32", 1e-6), (tb.fc_int8, "int8_static", 0.03)])
def test_user_file_runs_as_it_is(tmp_path, build, precision, atol) -> None:
    model, cfg = user_model(build(tmp_path / "fc.tflite"))
    assert model.inputs[0].shape == (1, 4) and model.inputs[0].dtype == "float32"
    assert model.provenance["file_precision"] == precision and model.parameter_count == 15
    artifact = EXPORTERS.get("tflite")(model, cfg, ArtifactCache(tmp_path / "cache"))
    assert artifact.precision == precision and artifact.path == model.tflite_path
    session = backend().load(artifact)
    got = session.run({"x": X})[0]
    np.testing.assert_allclose(got, tb.expected(X), atol=atol)
    np.testing.assert_allclose(model.reference({"x": X})[0], got, atol=atol)
    info = session.describe()
    assert info["runtime"] == "litert" and info["io_quantised"] == (precision != "fp32")
    session.close()


def test_user_file_keeps_its_precision(tmp_path) -> None:
    model, cfg = user_model(tb.fc_int8(tmp_path / "fc.tflite"))
    cache = ArtifactCache(tmp_path / "cache")
    artifact = EXPORTERS.get("tflite")(model, cfg, cache)
    same = QUANTISERS.get("tflite")(model, artifact, QuantConfig(recipe=Recipe.int8_static),
                                    None, cache)
    assert same is artifact
    with pytest.raises(QuantisationError, match="quant=int8_static"):
        QUANTISERS.get("tflite")(model, artifact, QuantConfig(recipe=Recipe.fp32), None, cache)


def test_not_a_tflite_file(tmp_path) -> None:
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer at all" * 8)
    with pytest.raises(ModelError, match="not a .tflite model"):
        user_model(bad)


def test_missing_delegate_says_so(tmp_path) -> None:
    model, cfg = user_model(tb.fc_fp32(tmp_path / "fc.tflite"))
    artifact = EXPORTERS.get("tflite")(model, cfg, ArtifactCache(tmp_path / "cache"))
    with pytest.raises(BackendUnavailable, match="is not a file"):
        backend(delegate=str(tmp_path / "libnone.so")).load(artifact)
    fake = tmp_path / "libfake.so"
    fake.write_text("not a shared library")
    with pytest.raises(BackendUnavailable, match="did not load"):
        backend(delegate=str(fake)).load(artifact)


def test_delegate_options_need_a_delegate() -> None:
    with pytest.raises(ConfigError, match="delegate"):
        backend(delegate_options={"backend_type": "htp"})
