"""A runtime's own words reach the record: its first meaningful line, not its source position."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact, TensorSpec
from harness.core.errors import UnsupportedError, reason_of

FAILED_OPS = (  # OpenVINO's header lines come before the cause (silero-vad v5, corpus)
    "Exception from src/inference/src/cpp/core.cpp:84:\n"
    "Check 'false' failed at src/frontends/common_translators/src/unconverted_ops_report.cpp:151:\n"
    "FrontEnd API failed with OpConversionFailure:\nModel wasn't fully converted.\n"
    "Failed operations detailed log:\n-- If-16 with a message:\n"
    "The input data tensor's rank has to be known (static)\nSummary:\n")
OPENVINO_MESSAGE = (  # what OpenVINO 2025 raises for an operator it cannot convert
    "Exception from src/inference/src/cpp/core.cpp:84:\n"
    "Check 'false' failed at src/frontends/common_translators/src/unconverted_ops_report.cpp:151:\n"
    "FrontEnd API failed with OpConversionFailure:\nModel wasn't fully converted.\nSummary:\n"
    "-- No conversion rule found for operations: com.vendor.FooBar\n\n")


def test_reason_of_drops_source_positions_and_keeps_the_cause() -> None:
    reason = reason_of(RuntimeError(OPENVINO_MESSAGE))
    assert not reason.startswith("Exception from")
    assert "No conversion rule found for operations: com.vendor.FooBar" in reason
    assert "rank has to be known" in reason_of(RuntimeError(FAILED_OPS))
    assert reason_of(ValueError("plain words")) == "plain words"
    assert reason_of(KeyError()) == "KeyError"
    assert len(reason_of(RuntimeError("x" * 1000))) == 600


def _vendor_op_model(tmp_path: Path) -> Artifact:
    graph = helper.make_graph([helper.make_node("FooBar", ["x"], ["y"], domain="com.vendor")],
                              "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18),
                                                    helper.make_opsetid("com.vendor", 1)])
    path = tmp_path / "vendor_op.onnx"
    onnx.save(model, path)
    return Artifact(format="onnx", precision="fp32", inputs=(TensorSpec("x", (1, 4)),), path=path)


@pytest.mark.parametrize(("backend", "words"), [
    ("openvino", "No conversion rule found for operations: com.vendor.FooBar"),
    ("onnxruntime", "FooBar"),
])
def test_an_operator_the_runtime_lacks_is_named(tmp_path: Path, backend: str, words: str) -> None:
    pytest.importorskip(backend)
    runtime = create_backend(TargetConfig(name="t", backend=backend))
    with pytest.raises(UnsupportedError) as info:
        runtime.load(_vendor_op_model(tmp_path))
    assert words in str(info.value) and "core.cpp" not in str(info.value)


def _rank2_if_model(tmp_path: Path) -> Artifact:
    """An If whose condition has shape [1, 1] (legal ONNX, onnxruntime runs it; oww_hey_jarvis)."""
    def branch(name: str, op: str) -> onnx.GraphProto:
        return helper.make_graph([helper.make_node(op, ["x"], [name])], name, [],
                                 [helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 4])])

    graph = helper.make_graph(
        [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=1),
         helper.make_node("Greater", ["s", "zero"], ["cond"]),
         helper.make_node("If", ["cond"], ["y"], then_branch=branch("pos", "Relu"),
                          else_branch=branch("neg", "Neg"))],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])])
    path = tmp_path / "rank2_if.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return Artifact(format="onnx", precision="fp32", inputs=(TensorSpec("x", (1, 4)),), path=path)


def test_an_operator_openvino_cannot_convert_is_named_with_what_to_do(tmp_path: Path) -> None:
    pytest.importorskip("openvino")
    artifact = _rank2_if_model(tmp_path)
    create_backend(TargetConfig(name="t", backend="onnxruntime")).load(artifact).close()
    runtime = create_backend(TargetConfig(name="t", backend="openvino"))
    with pytest.raises(UnsupportedError) as info:
        runtime.load(artifact)
    text = str(info.value)
    assert "cannot convert If" in text and "Rank of If condition" in text
    assert "target=cpu" in text and "core.cpp" not in text
