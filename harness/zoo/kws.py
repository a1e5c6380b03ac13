"""Keyword spotting: the MLPerf Tiny DS-CNN on 49×10 MFCC features, 12 classes."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from harness.zoo.entry import ZooEntry, mlperf_tiny_entry
from harness.zoo.layers import conv_bn_relu, depthwise_separable, seeded

INPUT_SHAPE = (1, 49, 10)
NUM_CLASSES = 12
SEED = 1201


class DSCNN(nn.Module):
    """DS-CNN: 10×4/2 conv, four depthwise-separable blocks, average pool, dense."""

    def __init__(self, filters: int = 64, blocks: int = 4, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        # Keras "same" padding for 49×10 with a 10×4 stride-2 kernel gives 25×5; symmetric
        # padding (5, 1) gives the same shape (the sampling grid shifts by at most one row).
        layers = [conv_bn_relu(INPUT_SHAPE[0], filters, (10, 4), stride=2, padding=(5, 1))]
        layers += [depthwise_separable(filters, filters) for _ in range(blocks)]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(filters, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (N, 12) for MFCC input (N, 1, 49, 10)."""
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


def build(cache_dir: Path) -> nn.Module:
    """Return the DS-CNN in eval mode with seeded random weights (no pretrained weights ship)."""
    del cache_dir  # nothing trained, nothing cached
    return seeded(DSCNN, SEED, INPUT_SHAPE)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return mlperf_tiny_entry("kws", "MLPerf Tiny keyword spotting DS-CNN on 49×10 MFCCs",
                             INPUT_SHAPE, NUM_CLASSES, 22_600, build)
