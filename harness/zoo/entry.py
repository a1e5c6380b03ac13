"""Record types of the model zoo: a registry entry and the labelled data that goes with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

#: Where trained zoo weights are cached unless a caller passes another directory.
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "models" / ".cache" / "zoo"


@dataclass(frozen=True)
class Dataset:
    """Real labelled data for a zoo model, already preprocessed to the model's input layout."""

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


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

    def build(self, cache_dir: Path | None = None) -> torch.nn.Module:
        """Return the eval-mode module with deterministic weights (cache used by trained models)."""
        module = self.builder(Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR)
        return module.eval()

    def dataset(self) -> Dataset | None:
        """Return the model's labelled data, or None when the zoo ships none for it."""
        return self.loader() if self.loader is not None else None


UNTRAINED = "; seeded random weights (no pretrained weights ship)"


def mlperf_tiny_entry(name: str, description: str, input_shape: tuple[int, ...],
                      num_classes: int, published: int,
                      builder: Callable[[Path], torch.nn.Module]) -> ZooEntry:
    """Return the entry of an MLPerf Tiny classifier with seeded random weights."""
    return ZooEntry(name=name, description=description + UNTRAINED, input_name="input",
                    input_shape=input_shape, num_classes=num_classes, task="classification",
                    published_params=published, builder=builder)
