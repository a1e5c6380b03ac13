"""Every ONNX recipe on real exports, run in real onnxruntime, judged against FP32 torch."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from harness.accuracy.fidelity import output_fidelity
from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import QuantisationError
from harness.models.source import LoadedModel
from harness.quantise.apply import NEEDS_CALIBRATION, quantise
from harness.quantise.config import CalibrationMethod, QuantConfig, QuantType, Recipe
from harness.quantise.recipes import recipes_for

from .conftest import calibration

STATIC = {"recipe": Recipe.int8_static}
RECIPES = {
    "fp16": QuantConfig(name="fp16", recipe=Recipe.fp16),
    "int8_dynamic": QuantConfig(name="int8_dynamic", recipe=Recipe.int8_dynamic,
                                per_channel=False),
    "int8_static": QuantConfig(name="int8_static", **STATIC),
    "per_tensor": QuantConfig(name="per_tensor", per_channel=False, **STATIC),
    "s8s8": QuantConfig(name="s8s8", activation_type=QuantType.int8, activation_symmetric=True,
                        weight_symmetric=True, **STATIC),
    "entropy": QuantConfig(name="entropy", calibration_method=CalibrationMethod.entropy,
                           **STATIC),
    "percentile": QuantConfig(name="percentile", calibration_method=CalibrationMethod.percentile,
                              **STATIC),
    "int16": QuantConfig(name="int16", recipe=Recipe.int16_static,
                         activation_type=QuantType.uint16, reduce_range=False),
}


def _run(artifact: Artifact, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(artifact.path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x.astype(artifact.inputs[0].dtype)})[0]


def _reference(model: LoadedModel, x: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return model.module(torch.from_numpy(x)).numpy()


def _apply(model: LoadedModel, fp32: Artifact, cfg: QuantConfig, cache: ArtifactCache) -> Artifact:
    calib = calibration(model) if cfg.recipe in NEEDS_CALIBRATION else None
    return quantise(model, fp32, cfg, calib, cache)


def test_every_recipe_has_a_handler() -> None:
    recipes = set(recipes_for("onnx"))
    assert {r for r in recipes if "." not in r} == {r.value for r in Recipe} - {"fp32"}
    assert "int8_static.nncf" in recipes  # a second quantiser for one recipe: <recipe>.<name>


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_recipe_runs_and_stays_close_to_fp32(
    key: str, conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    cfg = RECIPES[key]
    artifact = _apply(conv_model, conv_fp32, cfg, cache)
    assert artifact.precision == cfg.recipe.value and artifact.path != conv_fp32.path
    x = calibration(conv_model, 8).inputs
    metrics = output_fidelity(_run(artifact, x), _reference(conv_model, x), classifier=True)
    assert metrics["cosine"] > 0.99, metrics
    if cfg.recipe in NEEDS_CALIBRATION:
        assert artifact.meta["calibration_source"] == "test noise"
        assert artifact.meta["reduce_range_source"].startswith(("cpu", "config"))


def test_per_channel_and_symmetry_reach_the_model(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    def scales(cfg: QuantConfig) -> list[int]:
        graph = onnx.load(str(_apply(conv_model, conv_fp32, cfg, cache).path)).graph
        inits = {t.name: t for t in graph.initializer}
        return [int(np.prod(inits[n.input[1]].dims)) for n in graph.node
                if n.op_type == "DequantizeLinear" and n.input[1] in inits]

    assert max(scales(RECIPES["int8_static"])) > 1  # one scale per output channel
    assert max(scales(RECIPES["per_tensor"])) == 1
    s8 = onnx.load(str(_apply(conv_model, conv_fp32, RECIPES["s8s8"], cache).path)).graph
    zero_points = [t for t in s8.initializer if t.data_type == onnx.TensorProto.INT8
                   and "zero_point" in t.name]
    assert zero_points and all(not onnx.numpy_helper.to_array(t).any() for t in zero_points)


def test_int16_model_uses_16_bit_qdq_at_opset_21(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    model = onnx.load(str(_apply(conv_model, conv_fp32, RECIPES["int16"], cache).path))
    assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 21
    assert any(t.data_type == onnx.TensorProto.UINT16 for t in model.graph.initializer)


def test_second_build_is_a_cache_hit(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    first = _apply(conv_model, conv_fp32, RECIPES["int8_static"], cache)
    again = _apply(conv_model, conv_fp32, RECIPES["int8_static"], cache)
    assert again.cache_hit and again.sha256 == first.sha256


def test_fp16_without_io_casts_takes_float16(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    cfg = QuantConfig(name="fp16_io", recipe=Recipe.fp16, keep_io_types=False)
    artifact = _apply(conv_model, conv_fp32, cfg, cache)
    assert artifact.inputs[0].dtype == "float16"
    assert _run(artifact, calibration(conv_model, 2).inputs).dtype == np.float16


def test_wrong_activation_type_is_a_clear_error(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    cfg = QuantConfig(name="bad16", recipe=Recipe.int16_static, activation_type=QuantType.uint8)
    with pytest.raises(QuantisationError, match="activation_type"):
        _apply(conv_model, conv_fp32, cfg, cache)


def test_calibration_ranges_are_cached_and_entropy_can_clip(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    calib = calibration(conv_model, 12)
    first = quantise(conv_model, conv_fp32, RECIPES["int8_static"], calib, cache)
    other = quantise(conv_model, conv_fp32, RECIPES["per_tensor"], calib, cache)
    assert not first.meta["calibration_ranges_cached"] and other.meta["calibration_ranges_cached"]
    entropy = quantise(conv_model, conv_fp32, RECIPES["entropy"], calib, cache)
    assert entropy.meta["calibrator_options"] == {"num_bins": 2048, "num_quantized_bins": 128}
    assert entropy.sha256 != first.sha256  # 2048 bins let KL clip; onnxruntime's 128 cannot
