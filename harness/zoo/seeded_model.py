"""A zoo architecture with seeded random weights, stated as data: each model module declares one.

The module states what differs (name, factory, seed, shapes, published size, conventions); the
seeded build and the ZooEntry, the same for every such model, are written here once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from torch import nn

from harness.zoo.entry import UNTRAINED, ZooEntry
from harness.zoo.layers import seeded

#: Input (channels, height, width) and class count of the 224×224 ImageNet classifiers.
IMAGENET_SHAPE = (3, 224, 224)
IMAGENET_CLASSES = 1000


@dataclass(frozen=True)
class SeededModel:
    """An untrained architecture: how to build it under its seed, and its entry's metadata.

    The defaults are MLPerf Tiny's: a classifier, BatchNorm statistics calibrated on two seeded
    noise batches of 32, and `published_params` counted with BatchNorm folded away."""

    name: str
    #: What the architecture is; the entry appends that the weights are seeded random.
    description: str
    factory: Callable[[], nn.Module] = field(repr=False)
    seed: int
    input_shape: tuple[int, ...]
    num_classes: int | None
    published_params: int
    task: str = "classification"
    #: Batch size of the BatchNorm calibration on seeded noise; None: nothing to calibrate.
    calibration_batch: int | None = 32
    #: As ZooEntry.params_folded: False where the published count includes BatchNorm.
    params_folded: bool = True

    def build(self, cache_dir: Path) -> nn.Module:
        """Return the model in eval mode with seeded random weights (nothing trained or cached)."""
        del cache_dir
        if self.calibration_batch is None:
            return seeded(self.factory, self.seed)
        return seeded(self.factory, self.seed, self.input_shape, batch_size=self.calibration_batch)

    def entry(self) -> ZooEntry:
        """Return the model's zoo entry (what its harness.zoo entry point returns)."""
        return ZooEntry(name=self.name, description=self.description + UNTRAINED,
                        input_name="input", input_shape=self.input_shape,
                        num_classes=self.num_classes, task=self.task,
                        published_params=self.published_params, builder=self.build,
                        params_folded=self.params_folded)


def imagenet_classifier(name: str, description: str, factory: Callable[[], nn.Module], seed: int,
                        published_params: int, calibration_batch: int | None = 4) -> SeededModel:
    """Return an edge-class 224×224, 1000-class classifier, its published count BatchNorm included.

    BatchNorm is calibrated on batches of 4 (224×224 noise is costly); None for a model without."""
    return SeededModel(name, description, factory, seed, IMAGENET_SHAPE, IMAGENET_CLASSES,
                       published_params, calibration_batch=calibration_batch,
                       params_folded=False)
