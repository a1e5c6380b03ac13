"""quant.quantiser=nncf: OpenVINO's quantiser writes a QDQ graph both ONNX backends run."""

from __future__ import annotations

import onnx
import onnxruntime as ort
import pytest
import torch

from harness.accuracy.fidelity import output_fidelity
from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import QuantisationError
from harness.models.source import LoadedModel
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe

from .conftest import calibration

NNCF = QuantConfig(name="int8_nncf", recipe=Recipe.int8_static, quantiser="nncf")


def test_nncf_writes_a_qdq_graph_close_to_fp32(conv_model: LoadedModel, conv_fp32: Artifact,
                                               cache: ArtifactCache) -> None:
    pytest.importorskip("nncf")
    artifact = quantise(conv_model, conv_fp32, NNCF, calibration(conv_model), cache)
    ops = {n.op_type for n in onnx.load(str(artifact.path)).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    assert artifact.meta["quantiser"] == "nncf"
    assert artifact.meta["nncf_preset"] == "performance"  # symmetric activations by default
    x = calibration(conv_model, 8).inputs
    session = ort.InferenceSession(str(artifact.path), providers=["CPUExecutionProvider"])
    with torch.inference_mode():
        reference = conv_model.module(torch.from_numpy(x)).numpy()
    metrics = output_fidelity(session.run(None, {"input": x})[0], reference, classifier=True)
    assert metrics["cosine"] > 0.99, metrics
    onnxruntime_made = quantise(conv_model, conv_fp32, QuantConfig(
        name="int8_static", recipe=Recipe.int8_static), calibration(conv_model), cache)
    assert onnxruntime_made.sha256 != artifact.sha256  # the quantiser is part of the cache key


def test_a_quantiser_without_a_handler_for_the_recipe_says_what_to_do(
        mlp_model: LoadedModel, mlp_fp32: Artifact, cache: ArtifactCache) -> None:
    cfg = QuantConfig(name="dyn", recipe=Recipe.int8_dynamic, quantiser="nncf")
    with pytest.raises(QuantisationError) as info:
        quantise(mlp_model, mlp_fp32, cfg, None, cache)
    assert "int8_dynamic.nncf" in str(info.value)
    assert "quant.quantiser for int8_dynamic: onnxruntime" in str(info.value)
    with pytest.raises(QuantisationError, match="int8_static: onnxruntime, nncf"):
        quantise(mlp_model, mlp_fp32, QuantConfig(name="s", recipe=Recipe.int8_static,
                                                  quantiser="foo"), None, cache)
