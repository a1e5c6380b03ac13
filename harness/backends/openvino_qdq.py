"""QDQ constructs OpenVINO's int8 transformations fail on, and their exact rewrites.

A Pad between two QuantizeLinear/DequantizeLinear pairs with the same scale and zero point
(onnxruntime's static quantiser writes this for tf2onnx's ZeroPadding2D, e.g. openWakeWord's
embedding model) makes OpenVINO's CPU compile fail: its low-precision transformations move the
dequantisation through the Pad and then the following Reshape, and the zero-point constant no
longer matches the shape ("Subtract ... Argument shapes are inconsistent"). The first pair is
redundant: Q(DQ(Q(x))) = Q(x) with equal parameters, and the padded values are quantised by
the second pair either way. So `drop_requantised_pad_qdq` feeds the Pad from x directly.
"""

from __future__ import annotations

import numpy as np
import onnx_ir as ir


def _const(value: ir.Value | None) -> np.ndarray | None:
    if value is None:
        return None
    tensor = value.const_value
    return None if tensor is None else tensor.numpy()


def _same_params(a: ir.Node, b: ir.Node) -> bool:
    """Return whether two Q/DQ nodes have equal constant scales and zero points and axis."""
    if a.attributes.get_int("axis", 1) != b.attributes.get_int("axis", 1):
        return False
    for i in (1, 2):
        x = _const(a.inputs[i]) if len(a.inputs) > i else None
        y = _const(b.inputs[i]) if len(b.inputs) > i else None
        if (x is None) != (y is None) or (x is not None and (
                x.dtype != y.dtype or not np.array_equal(x, y))):
            return False
    return _const(a.inputs[1]) is not None


def _is(node: ir.Node | None, op: str) -> bool:
    return node is not None and node.op_type == op and node.domain == ""


def requantised_pads(graph: ir.Graph) -> list[tuple[ir.Node, ir.Node, ir.Node]]:
    """Return (Q, DQ, Pad) for each Pad fed by Q->DQ and read only by Q's of equal parameters."""
    found = []
    for pad in graph:
        if not _is(pad, "Pad") or pad.inputs[0] is None:
            continue
        dq = pad.inputs[0].producer()
        q = dq.inputs[0].producer() if _is(dq, "DequantizeLinear") else None
        if not _is(q, "QuantizeLinear") or len(pad.inputs[0].uses()) != 1:
            continue
        readers = [use.node for use in pad.outputs[0].uses()]
        if (readers and not pad.outputs[0].is_graph_output()
                and all(_is(r, "QuantizeLinear") and _same_params(r, q) for r in readers)
                and _same_params(q, dq)):
            found.append((q, dq, pad))
    return found


def drop_requantised_pad_qdq(graph: ir.Graph) -> int:
    """Feed each requantised Pad from the value before its redundant Q->DQ; return how many."""
    pads = requantised_pads(graph)
    for q, dq, pad in pads:
        pad.replace_input_with(0, q.inputs[0])
        graph.remove(dq, safe=True)
        if not q.outputs[0].uses() and not q.outputs[0].is_graph_output():
            graph.remove(q, safe=True)
    return len(pads)
