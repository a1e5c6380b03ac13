"""torch-side recipes: PT2E int8 with the XNNPACK quantizer, and torch-backend refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from harness.core.errors import QuantisationError
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.pte import pt2e_quantise
from harness.quantise.torch_recipes import quantise_torch

from .conftest import calibration


def test_pt2e_int8_returns_a_calibrated_quantised_graph(conv_model: LoadedModel) -> None:
    calib = calibration(conv_model, 8)
    example = (torch.from_numpy(calib.inputs[:conv_model.inputs[0].shape[0]]),)
    graph = pt2e_quantise(conv_model, QuantConfig(name="int8", recipe=Recipe.int8_static), calib)
    assert isinstance(graph, torch.fx.GraphModule)
    targets = {str(n.target) for n in graph.graph.nodes if n.op == "call_function"}
    assert any("quantize_per_tensor" in t for t in targets)
    assert any("dequantize_per_channel" in t for t in targets)  # per-channel weights
    with torch.no_grad():
        got, ref = graph(*example), conv_model.module(*example)
    cos = torch.nn.functional.cosine_similarity(got.flatten(), ref.flatten(), dim=0)
    assert float(cos) > 0.99


def test_pt2e_needs_a_full_batch_of_calibration_data(conv_model: LoadedModel) -> None:
    batch = conv_model.inputs[0].shape[0]
    short = calibration(conv_model, 8)
    short = replace(short, inputs=short.inputs[: batch - 1])
    with pytest.raises(QuantisationError, match=f"at least {batch} calibration samples"):
        pt2e_quantise(conv_model, QuantConfig(name="int8", recipe=Recipe.int8_static), short)


def test_torch_backend_refuses_recipes_it_has_no_handler_for(conv_model: LoadedModel) -> None:
    cfg = QuantConfig(name="fp16", recipe=Recipe.fp16)
    with pytest.raises(QuantisationError, match="no torch handler.*onnxruntime"):
        quantise_torch(conv_model, None, cfg, None)
