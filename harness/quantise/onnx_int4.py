"""int4 weight-only: MatMul weights in int4 blocks (onnxruntime MatMulNBits); Gemm rewritten."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from harness.core.errors import QuantisationError
from harness.quantise.job import OnnxJob

#: Below this share of weight elements in MatMul, int4 weight-only leaves the model mostly fp32.
MIN_WEIGHT_FRACTION = 0.5


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def gemm_to_matmul(model: onnx.ModelProto) -> int:
    """Rewrite Gemm(A, const B, C) with alpha=beta=1, transA=0 as MatMul + Add; return count."""
    inits = {t.name: t for t in model.graph.initializer}
    nodes: list[onnx.NodeProto] = []
    rewritten = 0
    for node in model.graph.node:
        a = _attrs(node)
        if (node.op_type != "Gemm" or node.input[1] not in inits or a.get("transA", 0)
                or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0):
            nodes.append(node)
            continue
        weight = numpy_helper.to_array(inits[node.input[1]])
        if a.get("transB", 0):
            weight = np.ascontiguousarray(weight.T)
        w_name = node.input[1] + "_kn"
        model.graph.initializer.append(numpy_helper.from_array(weight, w_name))
        has_bias = len(node.input) > 2 and node.input[2]
        mm_out = node.output[0] + "_mm" if has_bias else node.output[0]
        nodes.append(helper.make_node("MatMul", [node.input[0], w_name], [mm_out],
                                      name=node.name + "_matmul"))
        if has_bias:
            nodes.append(helper.make_node("Add", [mm_out, node.input[2]], [node.output[0]],
                                          name=node.name + "_bias"))
        rewritten += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    used = {name for n in nodes for name in n.input} | {o.name for o in model.graph.output}
    kept = [t for t in model.graph.initializer if t.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    return rewritten


def matmul_weight_fraction(model: onnx.ModelProto) -> float:
    """Return the share of initializer elements that are constant MatMul weights."""
    inits = {t.name: int(np.prod(t.dims)) for t in model.graph.initializer}
    used = {n.input[1] for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in inits}
    total = sum(inits.values())
    return sum(inits[name] for name in used) / total if total else 0.0


def quantise_int4(job: OnnxJob) -> dict[str, Any]:
    """Write the int4 weight-only model to job.dst; raise when too few weights are in MatMul."""
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    cfg = job.cfg
    if cfg.block_size < 16 or cfg.block_size & (cfg.block_size - 1):
        raise QuantisationError(
            f"quant.block_size={cfg.block_size} is not valid for MatMulNBits.",
            "Use a power of two >= 16, e.g. 32 or 128.",
        )
    model = onnx.load(str(job.src))
    rewritten = gemm_to_matmul(model)
    fraction = matmul_weight_fraction(model)
    if fraction < MIN_WEIGHT_FRACTION:
        raise QuantisationError(
            f"int4 weight-only quantises MatMul weights only, and they are {fraction:.1%} of "
            f"this model's weights (the rest are Conv weights that would stay fp32).",
            "Use int8_static for convolutional models; int4 suits MatMul-heavy models "
            "such as the autoencoder.",
        )
    quantizer = MatMulNBitsQuantizer(
        model, bits=4, block_size=cfg.block_size, is_symmetric=bool(cfg.weight_symmetric),
        nodes_to_exclude=cfg.nodes_to_exclude,
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(job.dst), use_external_data_format=False)
    return {"gemm_rewritten": rewritten, "matmul_weight_fraction": round(fraction, 4),
            "block_size": cfg.block_size, "symmetric": bool(cfg.weight_symmetric)}
