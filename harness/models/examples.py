"""Example tensors for tracing and export: the zoo's seeded noise, else each input's fill."""

from __future__ import annotations

import numpy as np
import torch

from harness.core.artifact import TensorSpec
from harness.models.inputs import fill_rows
from harness.models.loaded import LoadedModel


def example_tensors(model: LoadedModel, batch: int | None) -> tuple[torch.Tensor, ...]:
    """Return one example per input (batch axis set to `batch` unless None) for tracing."""
    gen = torch.Generator().manual_seed(0)
    out = []
    for spec in model.inputs:
        shape = (batch, *spec.shape[1:]) if batch is not None and spec.shape else spec.shape
        fill = model.fills.get(spec.name)
        if np.dtype(spec.dtype) == np.float32 and (fill is None or fill.describe() == "default"):
            out.append(torch.randn(shape, generator=gen))
        else:
            sized = TensorSpec(spec.name, shape, spec.dtype)
            rows = fill_rows(sized, fill, shape[0] if shape else 1, 0)
            out.append(torch.from_numpy(rows if shape else rows.reshape(())))
    return tuple(out)

