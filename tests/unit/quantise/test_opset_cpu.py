"""Opset upgrades before a recipe, and reduce_range chosen from the CPU's flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from harness.core import host as cpu
from harness.core.onnx_utils import default_opset, ensure_opset
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.onnx_recipes import settings


def _old_model(path: Path, opset: int) -> Path:
    weight = numpy_helper.from_array(np.eye(4, dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.save(model, str(path))
    return path


def test_old_opset_is_upgraded(tmp_path: Path) -> None:
    src = _old_model(tmp_path / "old.onnx", 11)
    out = ensure_opset(src, tmp_path / "new.onnx", 13, "int8_static")
    assert out != src and default_opset(onnx.load(str(out))) == 13
    x = np.ones((1, 4), np.float32)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"x": x})[0], x)


def test_new_enough_opset_is_left_alone(tmp_path: Path) -> None:
    src = _old_model(tmp_path / "m.onnx", 18)
    assert ensure_opset(src, tmp_path / "new.onnx", 13, "int8_static") == src


def test_reduce_range_follows_vnni(tmp_path: Path) -> None:
    for flags, expected in [("avx2 avx512_vnni", False), ("avx2 fma", True)]:
        info = tmp_path / f"cpuinfo-{expected}"
        info.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
        assert cpu.cpu_flags.__wrapped__(str(info)) >= frozenset(flags.split())
    resolved = settings(QuantConfig(recipe=Recipe.int8_static))["reduce_range"]
    assert resolved is cpu.default_reduce_range()
    assert settings(QuantConfig(recipe=Recipe.int8_static, reduce_range=True))["reduce_range"]
