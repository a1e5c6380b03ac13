"""A small real conv net (Conv-Relu-Conv-Sigmoid, 8x16x16 input) written with onnx.helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHAPE = (1, 8, 16, 16)


def write_conv_net(path: Path, dynamic_batch: bool = False) -> Path:
    """Write the fp32 net to `path` (input "x", output "y") and return the path."""
    rng = np.random.default_rng(1)
    w1 = numpy_helper.from_array(rng.standard_normal((16, 8, 3, 3), dtype=np.float32) / 8, "w1")
    w2 = numpy_helper.from_array(rng.standard_normal((16, 16, 3, 3), dtype=np.float32) / 8, "w2")
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1, 1, 1], name="conv2"),
             helper.make_node("Sigmoid", ["c2"], ["y"], name="sigmoid")]
    batch = "batch" if dynamic_batch else 1
    graph = helper.make_graph(
        nodes, "conv_net", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                          (batch, *SHAPE[1:]))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (batch, 16, 16, 16))], [w1, w2])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path
