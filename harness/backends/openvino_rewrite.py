"""The graph rewrites of OpenVINO's graph preparation, on an onnx_ir copy of the file.

(a) integer/bool inputs the run fixes by value become constants and leave the graph; (b) the
other inputs take the run's shapes; (c) a Q/DQ pair before a Pad re-quantised with the same
parameters is dropped (openvino_qdq.py); (d) onnxscript's constant folding, which replaces an
`If` whose condition became constant by the branch it takes (Q/DQ nodes are never folded, so
int8 weights stay int8); (e) every remaining If condition is reshaped to a scalar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx_ir as ir
from onnxscript import optimizer

from harness.backends.openvino_qdq import drop_requantised_pad_qdq
from harness.core.artifact import TensorSpec

QDQ_OPS = ("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear")


def _if_count(graph: ir.Graph) -> int:
    return sum(node.op_type == "If" and node.domain == ""
               for node in ir.traversal.RecursiveGraphIterator(graph))


def _fold_inputs(graph: ir.Graph, fixed: dict[str, np.ndarray]) -> list[str]:
    notes = []
    for value in list(graph.inputs):
        if value.name in fixed:
            array = fixed[value.name]
            graph.inputs.remove(value)
            value.const_value = ir.tensor(array, name=value.name)
            graph.register_initializer(value)
            shown = array.item() if array.size == 1 else array.tolist()
            notes.append(f"input {value.name} folded as {shown}")
    return notes


def _fix_shapes(graph: ir.Graph, specs: tuple[TensorSpec, ...]) -> str | None:
    shapes = {s.name: s.shape for s in specs}
    fixed = []
    for value in graph.inputs:
        shape = shapes.get(value.name)
        if shape is not None and (value.shape is None or not value.shape.is_static()):
            value.shape = ir.Shape(list(shape))
            fixed.append(f"{value.name} {list(shape)}")
    return f"input shapes fixed to the run's ({', '.join(fixed)})" if fixed else None


def _scalar_conditions(graph: ir.Graph) -> int:
    """Reshape every If condition not known to be a scalar to one (If needs one element)."""
    count = 0
    for node in list(ir.traversal.RecursiveGraphIterator(graph)):
        cond = node.inputs[0] if node.op_type == "If" and node.domain == "" else None
        if cond is None or (cond.shape is not None and cond.shape.rank() == 0):
            continue
        owner = node.graph
        name = f"{cond.name}_scalar_{count}"
        shape = ir.node("Constant", [], {"value": ir.tensor(np.zeros(0, np.int64))},
                        name=f"{name}_shape", num_outputs=1)
        shape.outputs[0].name = f"{name}_shape"
        reshape = ir.node("Reshape", [cond, shape.outputs[0]], name=name, num_outputs=1)
        reshape.outputs[0].name = name
        reshape.outputs[0].shape, reshape.outputs[0].type = ir.Shape([]), cond.type
        owner.insert_before(node, [shape, reshape])
        node.replace_input_with(0, reshape.outputs[0])
        count += 1
    return count


def rewrite(src: Path, dest: Path, specs: tuple[TensorSpec, ...],
             fixed: dict[str, np.ndarray], fix_shapes: bool) -> dict[str, Any]:
    """Write the prepared copy of `src` to `dest`; return the note and folded input names."""
    model = ir.load(src)
    graph = model.graph
    before = _if_count(graph)
    notes = _fold_inputs(graph, fixed)
    shapes = _fix_shapes(graph, specs) if fix_shapes else None
    notes += [shapes] if shapes else []
    dropped = drop_requantised_pad_qdq(graph)
    if dropped:
        notes.append(f"{dropped} redundant QuantizeLinear/DequantizeLinear pair(s) before a "
                     "Pad that is re-quantised with the same scale removed")
    for _ in range(2):  # a second round folds what the first one's inlining exposed
        changed = optimizer.fold_constants(model, onnx_shape_inference=True,
                                           should_fold=_keep_quantised)
        optimizer.remove_unused_nodes(model)
        if not changed:
            break
    after = _if_count(graph)
    if after < before:
        notes.append(f"If nodes {before} -> {after} (constant conditions: the taken branch "
                     "inlined)")
    reshaped = _scalar_conditions(graph)
    if reshaped:
        notes.append(f"{reshaped} If condition(s) reshaped to a scalar")
    ir.save(model, dest, external_data=f"{dest.name}.data" if _large(model) else None)
    note = "; ".join(notes) or "no change (nothing to fold)"
    return {"note": f"graph prepared for OpenVINO: {note}",
            "folded": [n for n in fixed if not any(v.name == n for v in graph.inputs)]}


def _keep_quantised(node: ir.Node) -> bool | None:
    """Never fold a Q/DQ node: int8 weights stay int8 (None: onnxscript's own rule)."""
    return False if node.op_type in QDQ_OPS else None


def _large(model: ir.Model) -> bool:
    total = sum(v.const_value.nbytes for v in model.graph.initializers.values()
                if v.const_value is not None)
    return total > 1 << 30
