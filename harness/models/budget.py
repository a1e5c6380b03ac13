"""How many input batches a run may prepare up front, sized from shapes x dtypes first.

The budget is min(2 GiB, 25% of the memory available when the run starts). Building n batches
peaks at up to PEAK_FACTOR x their final size (a float64 draw cast to float32, an index array),
so n is cut until that peak fits; when even one batch does not fit the run is refused with the
size before anything is allocated. Each prepared set (timing, fidelity) is sized on its own.
A torch model's intermediates are counted on one sample and scaled by the batch, so a batch
whose single inference cannot fit in memory is refused too (check_activations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from harness.core.artifact import TensorSpec
from harness.core.errors import ModelError

BUDGET_MAX_BYTES = 2 << 30
BUDGET_SHARE = 0.25
PEAK_FACTOR = 3
#: Share of available memory one inference's intermediates may take (else refused up front).
ACTIVATION_SHARE = 0.5


def input_budget() -> int:
    """Return the bytes prepared inputs may peak at: min(2 GiB, 25% of available memory)."""
    import psutil

    return int(min(BUDGET_MAX_BYTES, BUDGET_SHARE * psutil.virtual_memory().available))


def batch_bytes(specs: Sequence[TensorSpec]) -> int:
    """Return the bytes one batch of every input takes (shapes x dtype sizes)."""
    return sum(math.prod(s.shape) * np.dtype(s.dtype).itemsize for s in specs)


def _size(n: float) -> str:
    if n >= 2**30:
        return f"{n / 2**30:.2f} GiB"
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.1f} KiB"


def affordable_batches(specs: Sequence[TensorSpec], wanted: int,
                       note: dict[str, Any] | None = None) -> int:
    """Return how many of `wanted` batches fit the budget (at least 1; ModelError if none);
    the count, sizes and reason go into `note["prepared_batches"]` when given."""
    per, budget = batch_bytes(specs), input_budget()
    fits = budget // max(1, PEAK_FACTOR * per)
    shapes = ", ".join(f"{s.name} {list(s.shape)} {s.dtype}" for s in specs)
    if fits < 1:
        raise ModelError(
            f"One batch of inputs ({shapes}) takes {_size(per)}; preparing it could peak at "
            f"{_size(PEAK_FACTOR * per)}, above the input budget of {_size(budget)} "
            f"(min(2 GiB, 25% of available memory)); nothing was allocated.",
            "Use a smaller model.batch_size (or smaller model.inputs shapes).")
    count = int(min(wanted, fits))
    if note is not None:
        note["prepared_batches"] = {
            "requested": wanted, "prepared": count, "bytes_per_batch": per,
            "budget_bytes": budget,
            "why": "all requested batches fit the input budget" if count == wanted else
            f"cut to {count}: {wanted} batches of {_size(per)} would exceed the input budget "
            f"of {_size(budget)} (timing cycles through the {count} prepared)"}
    return count


class _OutputBytes(TorchDispatchMode):
    """Sums the bytes of every tensor each aten op returns (the forward's intermediates)."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None
                           ) -> Any:
        out = func(*args, **(kwargs or {}))
        self.total += sum(t.numel() * t.element_size() for t in tree_leaves(out)
                          if isinstance(t, torch.Tensor))
        return out


def sample_activation_bytes(module: torch.nn.Module, specs: Sequence[TensorSpec]) -> int:
    """Return the bytes of all intermediate tensors of one forward pass on one sample."""
    example = [torch.zeros((1, *s.shape[1:]) if s.shape else (), dtype=getattr(torch, s.dtype))
               for s in specs]
    counter = _OutputBytes()
    with torch.inference_mode(), counter:
        module(*example)
    return counter.total


def check_activations(module: torch.nn.Module | None, specs: Sequence[TensorSpec],
                      dynamic_batch: bool) -> None:
    """Refuse (ModelError) a batch whose intermediates, counted on one sample and scaled by the
    batch, exceed ACTIVATION_SHARE of available memory (an upper bound: runtimes reuse buffers).
    Models without a torch module or a free batch axis are not estimated."""
    batch = specs[0].shape[0] if specs and specs[0].shape else 1
    if module is None or not dynamic_batch or batch <= 1:
        return
    try:
        per = sample_activation_bytes(module, specs)
    except Exception:  # noqa: BLE001 - an estimate that cannot run must not fail the run
        return
    import psutil

    available = psutil.virtual_memory().available
    if per * batch > ACTIVATION_SHARE * available:
        fits = max(1, int(ACTIVATION_SHARE * available // max(per, 1)))
        raise ModelError(
            f"One inference at batch {batch} makes about {_size(per * batch)} of intermediate "
            f"tensors ({_size(per)} per sample, counted on one sample), more than "
            f"{ACTIVATION_SHARE:.0%} of the {_size(available)} available; the run would be "
            "killed for memory.", f"Use a smaller model.batch_size (at most about {fits} here).")
