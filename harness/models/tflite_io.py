"""Feed a LiteRT interpreter real-valued arrays: quantised inputs and outputs converted with
the tensor's own scale and zero point, as an application would."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_tensor(value: np.ndarray, detail: dict[str, Any]) -> np.ndarray:
    """Return `value` in the tensor's dtype: quantised (round(x / scale) + zero point, clipped)
    where the tensor has a scale, else as it is."""
    scale, zero = detail["quantization"]
    dtype = np.dtype(detail["dtype"])
    if not scale or value.dtype == dtype:
        return value
    info = np.iinfo(dtype)
    return np.clip(np.rint(value / scale) + zero, info.min, info.max).astype(dtype)


def from_tensor(value: np.ndarray, detail: dict[str, Any]) -> np.ndarray:
    """Return an output as real values: (q - zero point) * scale where quantised."""
    scale, zero = detail["quantization"]
    if not scale:
        return value
    return ((value.astype(np.float32) - np.float32(zero)) * np.float32(scale))


def run_interpreter(found: Any, values: list[np.ndarray],
                    inputs: list[dict[str, Any]] | None = None,
                    outputs: list[dict[str, Any]] | None = None) -> list[np.ndarray]:
    """Set the inputs (in the interpreter's order), invoke, return the outputs as host arrays."""
    inputs = found.get_input_details() if inputs is None else inputs
    outputs = found.get_output_details() if outputs is None else outputs
    for detail, value in zip(inputs, values, strict=True):
        found.set_tensor(detail["index"], to_tensor(value, detail))
    found.invoke()
    return [from_tensor(found.get_tensor(d["index"]), d) for d in outputs]
