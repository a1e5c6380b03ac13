"""How many input batches a run may prepare up front, sized from shapes x dtypes first.

The budget is min(2 GiB, 25% of the memory available when the run starts). Building n batches
peaks at up to PEAK_FACTOR x their final size (a float64 draw cast to float32, an index array),
so n is cut until that peak fits; when even one batch does not fit the run is refused with the
size before anything is allocated. Each prepared set (timing, fidelity) is sized on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.artifact import TensorSpec
from harness.errors import ModelError

BUDGET_MAX_BYTES = 2 << 30
BUDGET_SHARE = 0.25
PEAK_FACTOR = 3


def input_budget() -> int:
    """Return the bytes prepared inputs may peak at: min(2 GiB, 25% of available memory)."""
    import psutil

    return int(min(BUDGET_MAX_BYTES, BUDGET_SHARE * psutil.virtual_memory().available))


def batch_bytes(specs: Sequence[TensorSpec]) -> int:
    """Return the bytes one batch of every input takes (shapes x dtype sizes)."""
    return sum(math.prod(s.shape) * np.dtype(s.dtype).itemsize for s in specs)


def _size(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


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
