"""Refuse to quantise a graph that is already quantised (its int8 nodes would be re-quantised)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import onnx

from harness.core.errors import QuantisationError

#: Operators that only a quantised graph holds (QDQ pairs, QOperator and integer kernels).
QUANTISED_OPS = frozenset({
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv",
    "QLinearMatMul", "QLinearAdd", "QLinearMul", "QLinearSigmoid", "QLinearLeakyRelu",
    "QLinearConcat", "QLinearAveragePool", "QLinearGlobalAveragePool", "QGemm",
    "ConvInteger", "MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul",
    "MatMulNBits",
})


def _nodes(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _nodes(attr.g)
            for sub in attr.graphs:
                yield from _nodes(sub)


def quantised_ops(path: Path) -> Counter[str]:
    """Return how many nodes of each quantised operator type the ONNX file holds."""
    model = onnx.load(str(path), load_external_data=False)
    return Counter(n.op_type for n in _nodes(model.graph) if n.op_type in QUANTISED_OPS)


def refuse_prequantised(path: Path, recipe: str, model: str) -> None:
    """Raise QuantisationError when model `model`'s file at `path` is already quantised."""
    found = quantised_ops(path)
    if not found:
        return
    listed = ", ".join(f"{count} {op}" for op, count in found.most_common(4))
    raise QuantisationError(
        f"Model '{model}' is already quantised ({listed}): recipe '{recipe}' would quantise it "
        "again, and onnxruntime's quantiser cannot read the scales it already has.",
        "Run it as it is with quant=fp32 (its own int8 nodes run unchanged), or bring the "
        "float model and quantise that.")
