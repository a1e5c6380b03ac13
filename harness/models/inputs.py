"""Inputs for timing, fidelity and calibration: real data where the model has it, else noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.artifact import TensorSpec
from harness.errors import ConfigError
from harness.models.source import LoadedModel


@dataclass(frozen=True)
class CalibrationSet:
    """Calibration inputs, the exact sample indices used, and where they came from."""

    inputs: np.ndarray
    indices: list[int]
    source: str


def _noise(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


def sample_pool(model: LoadedModel, count: int, seed: int) -> np.ndarray:
    """Return `count` single inputs (no batch dim): held-out real data if any, else noise."""
    per_sample = model.inputs[0].shape[1:]
    if model.dataset is not None:
        data = model.dataset.test_x
        return np.ascontiguousarray(data[np.arange(count) % len(data)], dtype=np.float32)
    return _noise((count, *per_sample), seed)


def batched_samples(
    model: LoadedModel, count: int, seed: int, specs: tuple[TensorSpec, ...] | None = None
) -> list[dict[str, np.ndarray]]:
    """Return `count` input dicts of one batch each, in the dtype of `specs` (the artifact's)."""
    spec = (specs or model.inputs)[0]
    batch = spec.shape[0]
    pool = sample_pool(model, count * batch, seed).astype(np.dtype(spec.dtype), copy=False)
    return [{spec.name: pool[i * batch : (i + 1) * batch]} for i in range(count)]


def calibration_set(model: LoadedModel, size: int, seed: int) -> CalibrationSet:
    """Return calibration inputs from the training split (fixed seeded indices), else noise."""
    if size < 1:
        raise ConfigError(f"quant.calibration_size={size} leaves nothing to calibrate on.",
                          "Use a positive number of samples, e.g. quant.calibration_size=64.")
    if model.dataset is not None:
        train = model.dataset.train_x
        rng = np.random.default_rng(seed)
        indices = sorted(rng.choice(len(train), size=min(size, len(train)), replace=False).tolist())
        source = model.dataset.name + ":train"
        return CalibrationSet(train[indices].astype(np.float32), indices, source)
    per_sample = model.inputs[0].shape[1:]
    return CalibrationSet(_noise((size, *per_sample), seed + 1), [], "random-normal (no data set)")
