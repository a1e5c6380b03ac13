"""Model files the BYO tests build themselves: ONNX graphs, a torch net, .pt2, TorchScript, HF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from tests.unit.models import nets


def write_net_package(folder: Path) -> str:
    """Write `byo_nets.py` (TinyNet) into folder; return the class's import path."""
    (folder / "byo_nets.py").write_text(Path(nets.__file__).read_text())
    return "byo_nets.TinyNet"


def tiny_net(width: int = 16) -> torch.nn.Module:
    """Return a seeded TinyNet (the same code as the written package)."""
    torch.manual_seed(0)
    return nets.TinyNet(width).eval()


def multi_input_onnx(path: Path, opset: int = 13) -> Path:
    """Write a model with image [batch,3,height,width], scalar int64 `scale` and a recurrent
    `state` [2,batch,8]; outputs logits [batch,4] and the next state."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((3, 4)).astype(np.float32), "w")
    u = numpy_helper.from_array(rng.standard_normal((8, 8)).astype(np.float32), "u")
    nodes = [
        helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "w"], ["mm"]),
        helper.make_node("Cast", ["scale"], ["scale_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["mm", "scale_f"], ["logits"]),
        helper.make_node("MatMul", ["state", "u"], ["su"]),
        helper.make_node("Tanh", ["su"], ["next_state"]),
    ]
    graph = helper.make_graph(
        nodes, "multi",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       ["batch", 3, "height", "width"]),
         helper.make_tensor_value_info("scale", TensorProto.INT64, []),
         helper.make_tensor_value_info("state", TensorProto.FLOAT, [2, "batch", 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4]),
         helper.make_tensor_value_info("next_state", TensorProto.FLOAT, [2, "batch", 8])],
        [w, u])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def mlp_onnx(path: Path, opset: int = 13, external: bool = False) -> Path:
    """Write x [batch,16] -> MatMul -> Relu -> MatMul -> y [batch,4] (weights external if asked)."""
    rng = np.random.default_rng(1)
    inits = [numpy_helper.from_array(rng.standard_normal((16, 32)).astype(np.float32), "w1"),
             numpy_helper.from_array(rng.standard_normal((32, 4)).astype(np.float32), "w2")]
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]),
             helper.make_node("Relu", ["h"], ["hr"]),
             helper.make_node("MatMul", ["hr", "w2"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    if external:
        onnx.save_model(model, str(path), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    else:
        onnx.save(model, str(path))
    return path


def point_external_data(path: Path, location: str) -> Path:
    """Rewrite every external-data location in the file to `location` (a hostile path)."""
    model = onnx.load(str(path), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    onnx.save(model, str(path))
    return path


def pt2_file(path: Path) -> Path:
    """Write a torch.export program of TinyNet with a dynamic batch."""
    program = torch.export.export(tiny_net(), (torch.randn(2, 8),),
                                  dynamic_shapes=({0: torch.export.Dim("batch", max=1024)},))
    torch.export.save(program, str(path))
    return path


def torchscript_file(path: Path) -> Path:
    """Write TinyNet as a scripted TorchScript archive."""
    torch.jit.save(torch.jit.script(tiny_net()), str(path))
    return path


def hf_folder(folder: Path) -> Path:
    """Write a tiny BERT sequence classifier with save_pretrained (needs transformers)."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                        num_labels=3)
    torch.manual_seed(0)
    BertForSequenceClassification(config).eval().save_pretrained(str(folder))
    return folder
