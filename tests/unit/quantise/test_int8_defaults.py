"""quant.quantiser=auto: int8_static gets onnxruntime's QDQ on onnxruntime, NNCF on OpenVINO,
says so in the artifact, and keeps every setting the user chose."""

from __future__ import annotations

import importlib.util

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.models.source import LoadedModel
from harness.quantise import defaults
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.defaults import resolve

from .conftest import calibration

AUTO = QuantConfig(name="int8_static", recipe=Recipe.int8_static)
HAS_NNCF = importlib.util.find_spec("nncf") is not None


def test_onnxruntime_keeps_u8s8_qdq() -> None:
    cfg, why = resolve(AUTO, "onnxruntime")
    assert (cfg.quantiser, cfg.activation_symmetric) == ("onnxruntime", False)
    assert why is not None and why.startswith("onnxruntime (CPU ") and "U8S8" in why


@pytest.mark.skipif(not HAS_NNCF, reason="nncf is not installed (extra `nncf`)")
def test_openvino_gets_nncf_performance_preset() -> None:
    cfg, why = resolve(AUTO, "openvino")
    assert (cfg.quantiser, cfg.activation_symmetric) == ("nncf", True)
    assert why is not None and "NNCF's performance preset" in why


def test_openvino_without_nncf_falls_back_and_says_how_to_get_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(defaults, "_installed", lambda name: name == "onnxruntime")
    cfg, why = resolve(AUTO, "openvino")
    assert cfg.quantiser == "onnxruntime" and cfg.activation_symmetric is False
    assert why is not None and "nncf is not installed" in why and ".[nncf]" in why


@pytest.mark.parametrize("setting", [{"per_channel": False}, {"op_types": ["Conv"]},
                                     {"calibration_method": "entropy"}])
def test_a_setting_only_onnxruntime_honours_keeps_its_quantiser(setting: dict) -> None:
    cfg, why = resolve(QuantConfig(name="x", recipe=Recipe.int8_static, **setting), "openvino")
    assert cfg.quantiser == "onnxruntime"
    assert why is not None and f"quant.{next(iter(setting))}=" in why


def test_explicit_choices_are_kept() -> None:
    pinned = QuantConfig(name="x", recipe=Recipe.int8_static, quantiser="onnxruntime",
                         activation_symmetric=True)
    assert resolve(pinned, "openvino") == (pinned, None)
    cfg, why = resolve(QuantConfig(name="x", recipe=Recipe.int8_static, quantiser="nncf"), None)
    assert (cfg.quantiser, cfg.activation_symmetric, why) == ("nncf", True, None)
    dynamic, why = resolve(QuantConfig(name="d", recipe=Recipe.int8_dynamic), "openvino")
    assert (dynamic.quantiser, why) == ("onnxruntime", None)


@pytest.mark.skipif(not HAS_NNCF, reason="nncf is not installed (extra `nncf`)")
def test_one_preset_two_graphs_each_saying_why(conv_model: LoadedModel, conv_fp32: Artifact,
                                              cache: ArtifactCache) -> None:
    calib = calibration(conv_model)
    ort = quantise(conv_model, conv_fp32, AUTO, calib, cache, "onnxruntime")
    ov = quantise(conv_model, conv_fp32, AUTO, calib, cache, "openvino")
    assert ort.meta["quantiser"] != "nncf" and ov.meta["quantiser"] == "nncf"
    assert ov.meta["nncf_preset"] == "performance"
    assert "U8S8" in ort.meta["int8_defaults"] and "NNCF" in ov.meta["int8_defaults"]
    assert ort.sha256 != ov.sha256
    ort_pinned = quantise(conv_model, conv_fp32, QuantConfig(
        name="int8_static_ort", recipe=Recipe.int8_static, quantiser="onnxruntime",
        activation_symmetric=False), calib, cache, "openvino")
    assert ort_pinned.sha256 == ort.sha256 and "int8_defaults" not in ort_pinned.meta
    assert ort_pinned.meta["recipe"] == "int8_static_ort"  # its own name, not the builder's
    for artifact in (ort, ov):
        ops = {n.op_type for n in onnx.load(str(artifact.path)).graph.node}
        assert {"QuantizeLinear", "DequantizeLinear"} <= ops


def test_attention_is_a_softmax_feeding_a_matmul_of_two_computed_tensors() -> None:
    pytest.importorskip("nncf")

    from harness.quantise.onnx_nncf import has_attention

    def graph(value_from_weight: bool) -> onnx.ModelProto:
        w = numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
        nodes = [helper.make_node("MatMul", ["q", "k"], ["s"]),
                 helper.make_node("Softmax", ["s"], ["p"]),
                 helper.make_node("MatMul", ["p", "w" if value_from_weight else "v"], ["o"])]
        io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [4, 4]) for n in "qkv"]
        return helper.make_model(helper.make_graph(
            nodes, "g", io, [helper.make_tensor_value_info("o", TensorProto.FLOAT, [4, 4])],
            [w]))

    assert has_attention(graph(value_from_weight=False))
    assert not has_attention(graph(value_from_weight=True))  # a classifier head, not attention
