"""Inputs for timing, fidelity and calibration: real data where the model has it, else seeded noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def batched_samples(model: LoadedModel, count: int, seed: int) -> list[dict[str, np.ndarray]]:
    """Return `count` prepared input dicts, each holding one batch of the configured size."""
    spec = model.inputs[0]
    batch = spec.shape[0]
    pool = sample_pool(model, count * batch, seed)
    return [{spec.name: pool[i * batch : (i + 1) * batch]} for i in range(count)]


def calibration_set(model: LoadedModel, size: int, seed: int) -> CalibrationSet:
    """Return calibration inputs from the training split (fixed seeded indices), else noise."""
    if model.dataset is not None:
        train = model.dataset.train_x
        rng = np.random.default_rng(seed)
        indices = sorted(rng.choice(len(train), size=min(size, len(train)), replace=False).tolist())
        return CalibrationSet(train[indices].astype(np.float32), indices, model.dataset.name + ":train")
    per_sample = model.inputs[0].shape[1:]
    return CalibrationSet(_noise((size, *per_sample), seed + 1), [], "random-normal (no data set)")
