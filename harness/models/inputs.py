"""Inputs for timing, fidelity and calibration: real data where the model has it, else fills.

Values are drawn per input as "rows" along axis 0 (a rank-0 input: one value per batch); one
batch takes `spec.shape[0]` consecutive rows. The first input uses the model's data set when it
has one, else seeded standard-normal noise (the zoo's behaviour); `model.inputs.<name>` fills
(range, constant, .npy) override that per input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.artifact import TensorSpec
from harness.core.errors import ConfigError
from harness.models.budget import affordable_batches
from harness.models.config import InputSpec
from harness.models.loaded import LoadedModel
from harness.models.safety import read_arrays

Feed = dict[str, np.ndarray]


@dataclass(frozen=True)
class CalibrationSet:
    """Calibration samples (first input's rows), the indices used, the source, every feed."""

    inputs: np.ndarray
    indices: list[int]
    source: str
    feeds: tuple[Feed, ...] = field(default=(), compare=False)

    def batches(self, name: str = "input") -> list[Feed]:
        """Return the feeds to calibrate on (single-input sets: one sample per feed)."""
        if self.feeds:
            return list(self.feeds)
        return [{name: self.inputs[i : i + 1]} for i in range(len(self.inputs))]

    def key_parts(self) -> list[Any]:
        """Return the parts that identify the data, for cache keys."""
        parts: list[Any] = [self.inputs.tobytes(), self.indices]
        if self.feeds and len(self.feeds[0]) > 1:
            parts.append([np.asarray(v).tobytes() for f in self.feeds for v in f.values()])
        return parts


def _noise(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


def rows_per_batch(spec: TensorSpec) -> int:
    """Return how many rows of an input one batch takes (1 for a rank-0 input)."""
    return spec.shape[0] if spec.shape else 1


def _from_npy(spec: TensorSpec, fill: InputSpec, rows: int) -> np.ndarray:
    path = Path(str(fill.data)).expanduser()
    if not path.is_file():
        raise ConfigError(f"model.inputs.{spec.name}.data={fill.data} is not a file.",
                          "Point it at an .npy file of samples (one per row).")
    data = read_arrays(path, f"model.inputs.{spec.name}.data").get("")
    if data is None:
        raise ConfigError(f"model.inputs.{spec.name}.data={fill.data} is an .npz archive.",
                          "Point it at one .npy file of samples (one per row).")
    data = data.reshape(-1) if not spec.shape else data
    if data.ndim == 0 or len(data) == 0 or (spec.shape and data.shape[1:] != spec.shape[1:]):
        raise ConfigError(f"model.inputs.{spec.name}.data: array {data.shape} does not fit "
                          f"input {list(spec.shape)} (need rows of shape {list(spec.shape[1:])}).",
                          "Save the samples with their rows along axis 0.")
    return data[np.arange(rows) % len(data)]


def fill_rows(spec: TensorSpec, fill: InputSpec | None, rows: int, seed: int) -> np.ndarray:
    """Return `rows` rows of values for one input, in its dtype."""
    shape = (rows, *spec.shape[1:])
    dtype = np.dtype(spec.dtype)
    if fill is not None and fill.data is not None:
        out = _from_npy(spec, fill, rows)
    elif fill is not None and fill.value is not None:
        out = np.full(shape, fill.value)
    elif fill is not None and fill.low is not None:
        rng = np.random.default_rng(seed)
        if dtype.kind in "iub":
            out = rng.integers(int(fill.low), int(math.ceil(fill.high or 0)), size=shape)
        else:
            out = rng.uniform(fill.low, fill.high, size=shape)
    elif dtype.kind == "f":
        out = _noise(shape, seed)
    else:  # integers default to 0 (a valid index anywhere), booleans to True (mask "keep")
        out = np.full(shape, dtype.kind == "b")
    return np.ascontiguousarray(out.astype(dtype, copy=False))


def _first_rows(model: LoadedModel, count: int, seed: int) -> np.ndarray:
    spec = model.inputs[0]
    fill = model.fills.get(spec.name)
    if model.dataset is not None and (fill is None or fill.describe() == "default"):
        data = model.dataset.test_x
        return np.ascontiguousarray(data[np.arange(count) % len(data)], dtype=np.float32)
    return fill_rows(spec, fill, count, seed)


def sample_pool(model: LoadedModel, count: int, seed: int) -> np.ndarray:
    """Return `count` rows of the first input: held-out real data if any, else its fill."""
    return _first_rows(model, count, seed)


def input_rows(model: LoadedModel, specs: tuple[TensorSpec, ...], batches: int, seed: int,
               first: np.ndarray | None = None, per_batch: int | None = None
               ) -> dict[str, np.ndarray]:
    """Return rows for `batches` batches of every input (first input: data or `first`)."""
    rows: dict[str, np.ndarray] = {}
    for i, spec in enumerate(specs):
        n = batches * ((per_batch or rows_per_batch(spec)) if spec.shape else 1)
        if i == 0:
            data = first if first is not None else _first_rows(model, n, seed)
        else:
            data = fill_rows(spec, model.fills.get(spec.name), n, seed + 1000 * i)
        rows[spec.name] = data.astype(np.dtype(spec.dtype), copy=False)
    return rows


def split_feeds(specs: tuple[TensorSpec, ...], rows: dict[str, np.ndarray], batches: int,
                per_batch: int | None = None) -> list[Feed]:
    """Return `batches` feeds cut from `rows` (`per_batch` rows each, else each spec's batch)."""
    feeds = []
    for b in range(batches):
        feed: Feed = {}
        for spec in specs:
            data = rows[spec.name]
            if not spec.shape:
                at = b % len(data)
                feed[spec.name] = data[at : at + 1].reshape(())
                continue
            step = per_batch or rows_per_batch(spec)
            feed[spec.name] = data[b * step : (b + 1) * step]
        feeds.append(feed)
    return feeds


def batched_samples(
    model: LoadedModel, count: int, seed: int, specs: tuple[TensorSpec, ...] | None = None,
    note: dict[str, Any] | None = None,
) -> list[Feed]:
    """Return up to `count` input dicts of one batch each, in the dtype of `specs` (the
    artifact's): as many as the input memory budget allows (budget.py; recorded in `note`)."""
    specs = specs or model.inputs
    count = affordable_batches(specs, count, note)
    return split_feeds(specs, input_rows(model, specs, count, seed), count)


def calibration_set(model: LoadedModel, size: int, seed: int) -> CalibrationSet:
    """Return calibration inputs from the training split (fixed seeded indices), else fills."""
    if size < 1:
        raise ConfigError(f"quant.calibration_size={size} leaves nothing to calibrate on.",
                          "Use a positive number of samples, e.g. quant.calibration_size=64.")
    indices: list[int] = []
    first = None
    source = "random-normal (no data set)"
    if model.dataset is not None:
        train = model.dataset.train_x
        rng = np.random.default_rng(seed)
        indices = sorted(rng.choice(len(train), size=min(size, len(train)), replace=False).tolist())
        first, source = train[indices].astype(np.float32), model.dataset.name + ":train"
    elif len(model.inputs) > 1 or model.fills:
        source = "input fills: " + ", ".join(
            f"{s.name}={model.fills[s.name].describe() if s.name in model.fills else 'default'}"
            for s in model.inputs)
    specs = model.inputs
    if len(specs) == 1 and model.dynamic_batch and specs[0].shape:  # one sample per feed
        data = first if first is not None else fill_rows(
            specs[0], model.fills.get(specs[0].name), size, seed + 1)
        return CalibrationSet(data, indices, source)
    per_batch = 1 if model.dynamic_batch else None  # dynamic batch: one sample per feed
    step = per_batch or (rows_per_batch(specs[0]) if specs[0].shape else 1)
    batches = max(1, (len(first) // step) if first is not None else math.ceil(size / step))
    if first is not None:
        first = first[: batches * step]
    rows = input_rows(model, specs, batches, seed + 1, first, per_batch)
    feeds = tuple(split_feeds(specs, rows, batches, per_batch))
    return CalibrationSet(rows[specs[0].name], indices, source, feeds)


def fidelity_batches(artifact: Any, samples: int) -> int:
    """Return how many batches of the artifact's first input hold `samples` rows (at least 1,
    at most what the input memory budget allows)."""
    return affordable_batches(artifact.inputs,
                              max(1, math.ceil(samples / rows_per_batch(artifact.inputs[0]))))


def input_record(model: LoadedModel) -> list[dict[str, Any]]:
    """Return each input's name, shape, dtype and fill for the run record."""
    return [{"name": s.name, "shape": list(s.shape), "dtype": s.dtype,
             "fill": model.fills[s.name].describe() if s.name in model.fills else "default"}
            for s in model.inputs]
