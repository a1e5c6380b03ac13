"""Visual wake words: the MLPerf Tiny MobileNetV1 (α = 0.25) on 96×96 RGB, 2 classes."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from harness.zoo.entry import ZooEntry, mlperf_tiny_entry
from harness.zoo.layers import conv_bn_relu, depthwise_separable, seeded

INPUT_SHAPE = (3, 96, 96)
NUM_CLASSES = 2
SEED = 9696

# (output channels, stride) of the 13 depthwise-separable blocks of MobileNetV1 at α = 1.
_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


class MobileNetV1(nn.Module):
    """MobileNetV1: 3×3/2 stem, 13 depthwise-separable blocks, average pool, dense."""

    def __init__(self, alpha: float = 0.25, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        channels = int(32 * alpha)
        layers = [conv_bn_relu(INPUT_SHAPE[0], channels, 3, stride=2, padding=1)]
        for width, stride in _BLOCKS:
            out = int(width * alpha)
            layers.append(depthwise_separable(channels, out, stride))
            channels = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (N, 2) for image input (N, 3, 96, 96)."""
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


def build(cache_dir: Path) -> nn.Module:
    """Return MobileNetV1-0.25 in eval mode with seeded random weights."""
    del cache_dir
    return seeded(MobileNetV1, SEED, INPUT_SHAPE)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return mlperf_tiny_entry("vww", "MLPerf Tiny visual wake words MobileNetV1-0.25, 96×96",
                             INPUT_SHAPE, NUM_CLASSES, 210_900, build)
