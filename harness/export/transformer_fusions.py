"""onnxruntime's transformer optimizer on an exported graph: Attention, LayerNorm, GELU fusions.

Opt-in (model.transformer_fusions=true): on the CPU its fused graph measured slower than the
plain one, which onnxruntime fuses itself at session creation (docs/transformer_export.md).

Runs the optimizer's Python fusions only (opt_level=0): the file keeps standard ONNX plus the
com.microsoft fused operators, and no onnxruntime session-level rewrite is baked in, so the
session still applies its own optimisations for the machine it runs on.
"""

from __future__ import annotations

import logging
from pathlib import Path

import onnx
import onnxruntime as ort

from harness.zoo.encoder import TransformerShape

#: Record name of this step, with the version that decides what it writes.
OPTIMIZER = f"onnxruntime.transformers optimizer {ort.__version__}"


def fuse_transformer(path: Path, shape: TransformerShape) -> dict[str, int]:
    """Rewrite the ONNX file at `path` with fused operators; return the count per fused type."""
    from onnxruntime.tools.symbolic_shape_infer import SymbolicShapeInference
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    log = logging.getLogger("onnxruntime.transformers")  # it logs every fusion at INFO
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        optimized = optimize_model(
            str(path), model_type=shape.model_type, num_heads=shape.num_heads,
            hidden_size=shape.hidden_size, optimization_options=FusionOptions(shape.model_type),
            opt_level=0, use_gpu=False)
        counts = {op: n for op, n in optimized.get_fused_operator_statistics().items() if n}
        # onnx's shape inference cannot type com.microsoft outputs; without value_info the
        # quantisers cannot either ("Unable to find data type for weight_name")
        optimized.save_model_to_file(str(path))  # adds the com.microsoft opset import
        typed = SymbolicShapeInference.infer_shapes(onnx.load(str(path)), auto_merge=True)
        onnx.save(typed, str(path))
    finally:
        log.setLevel(level)
    return counts
