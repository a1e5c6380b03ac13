"""Fixtures for the unit tests: a tiny real ONNX model (MatMul + Relu, dynamic batch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness.core.artifact import Artifact, TensorSpec

SPEC = TensorSpec("x", (1, 4), "float32")


@pytest.fixture
def tiny_onnx(tmp_path: Path) -> Artifact:
    """Return an fp32 ONNX artifact computing relu(x @ W) for x of shape [batch, 4]."""
    weight = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3) - 6, "W")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Relu", ["h"], ["y"])],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    path = tmp_path / "tiny.onnx"
    onnx.save(model, path)
    return Artifact(format="onnx", precision="fp32", inputs=(SPEC,), path=path)
