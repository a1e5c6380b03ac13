"""Record types of the model zoo: a registry entry and the labelled data that goes with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from harness.zoo.params import folded_parameter_count

#: Where trained zoo weights are cached unless a caller passes another directory.
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "models" / ".cache" / "zoo"
#: ZooEntry.weights of an untrained architecture.
RANDOM_WEIGHTS = "seeded random"


@dataclass(frozen=True)
class Dataset:
    """Real labelled data for a zoo model, already preprocessed to the model's input layout."""

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


@dataclass(frozen=True)
class ZooInput:
    """One named input of a multi-input zoo model: shape without the batch, dtype, default fill
    (uniform integers in [low, high), or the constant `value`; neither: the usual default)."""

    name: str
    shape: tuple[int, ...]
    dtype: str = "float32"
    low: float | None = None
    high: float | None = None
    value: float | None = None


@dataclass(frozen=True)
class ZooEntry:
    """A built-in architecture: its metadata, how to build it and (optionally) its data."""

    name: str
    description: str
    input_name: str
    input_shape: tuple[int, ...]
    num_classes: int | None
    task: str
    published_params: int | None
    builder: Callable[[Path], torch.nn.Module] = field(repr=False, compare=False)
    loader: Callable[[], Dataset] | None = field(default=None, repr=False, compare=False)
    #: What the weights are, for the record: RANDOM_WEIGHTS or how they were trained.
    weights: str = RANDOM_WEIGHTS
    #: True: published_params counts BatchNorm folded away (MLPerf Tiny's convention); False:
    #: every parameter, as torchvision, timm and transformers report their models.
    params_folded: bool = True
    #: Every input, for a model with several (input_name/input_shape: the first of them).
    inputs: tuple[ZooInput, ...] = ()

    def model_inputs(self) -> tuple[ZooInput, ...]:
        """Return every input: `inputs`, else the one float32 `input_name` of `input_shape`."""
        return self.inputs or (ZooInput(self.input_name, self.input_shape),)

    def build(self, cache_dir: Path | None = None) -> torch.nn.Module:
        """Return the eval-mode module with deterministic weights (cache used by trained models)."""
        module = self.builder(Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR)
        return module.eval()

    def parameter_count(self, module: torch.nn.Module) -> int:
        """Return `module`'s parameter count in the convention `published_params` uses."""
        if self.params_folded:
            return folded_parameter_count(module)
        return sum(p.numel() for p in module.parameters())

    def dataset(self) -> Dataset | None:
        """Return the model's labelled data, or None when the zoo ships none for it."""
        return self.loader() if self.loader is not None else None


UNTRAINED = "; seeded random weights (no pretrained weights ship)"
#: The record's note on random weights: what they leave representative and what they do not.
RANDOM_WEIGHTS_NOTE = ("seeded random weights, not trained: latency, throughput, memory and energy "
                       "are representative of the architecture; task accuracy is meaningless and "
                       "not reported (fidelity vs the model's own FP32 outputs still is)")

