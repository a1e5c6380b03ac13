"""fp16: every float32 tensor and initializer cast to float16 by onnxruntime's converter."""

from __future__ import annotations

from typing import Any

import onnx

from harness.core.errors import QuantisationError
from harness.quantise.job import OnnxJob

CPU_NOTE = ("onnxruntime's CPU EP implements few ops in fp16 and falls back through inserted "
            "Casts, so fp16 on CPU is often slower than fp32; it is meant for GPU/NPU EPs")


def _converter() -> Any:
    """Return a convert_float_to_float16 function from whichever package is installed."""
    try:
        from onnxruntime.transformers.float16 import convert_float_to_float16
    except ImportError:
        try:
            from onnxconverter_common.float16 import convert_float_to_float16
        except ImportError as exc:
            raise QuantisationError(
                "The fp16 recipe needs onnxruntime.transformers or onnxconverter-common.",
                "pip install onnxconverter-common (or a full onnxruntime wheel).",
            ) from exc
    return convert_float_to_float16


def quantise_fp16(job: OnnxJob) -> dict[str, Any]:
    """Write the fp16 model to job.dst (float32 I/O when keep_io_types); return metadata."""
    convert = _converter()
    model = onnx.load(str(job.src))
    blocked = [n.name for n in model.graph.node if n.op_type in job.cfg.op_types] or None
    converted = convert(model, keep_io_types=job.cfg.keep_io_types,
                        node_block_list=(blocked or []) + job.cfg.nodes_to_exclude or None)
    onnx.save(converted, str(job.dst))
    return {"keep_io_types": job.cfg.keep_io_types, "converter": convert.__module__,
            "note": CPU_NOTE}
