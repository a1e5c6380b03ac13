"""Work per inference: FLOPs counted by torch's FlopCounterMode on one sample."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from harness.models.source import LoadedModel

FLOP_NOTE = ("torch.utils.flop_counter.FlopCounterMode on one sample (batch 1): counts matmul, "
             "addmm, bmm and convolution FLOPs (2 per multiply-add) only; element-wise ops, "
             "pooling, norms and activations are not counted")


def count_flops(module: torch.nn.Module, *example: torch.Tensor) -> int:
    """Return the FLOPs of one forward pass of `module` on `example` (matmul/conv only)."""
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        module(*example)
    return int(counter.get_total_flops())


def model_work(model: LoadedModel) -> dict[str, Any]:
    """Return record.model fields: flops_per_inference (one sample) and how it was counted."""
    if model.module is None:
        return {"flops_per_inference": None,
                "flop_counter_note": "FLOPs not counted: an ONNX file has no torch module"}
    batch = 1 if model.dynamic_batch else None  # a static batch is counted whole
    example = [torch.zeros((batch, *s.shape[1:]) if batch and s.shape else s.shape,
                           dtype=getattr(torch, s.dtype)) for s in model.inputs]
    try:
        flops: int | None = count_flops(model.module, *example)
        note = FLOP_NOTE
    except Exception as exc:  # a module FlopCounterMode cannot trace must not fail the run
        flops, note = None, f"FLOPs not counted: {type(exc).__name__}: {exc}".splitlines()[0]
    return {"flops_per_inference": flops, "flop_counter_note": note}
