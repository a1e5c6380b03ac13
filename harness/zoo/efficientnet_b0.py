"""Image classification: EfficientNet-B0 on 224×224 RGB, 1000 classes.

transformers' EfficientNet defaults to B7; B0 is width and depth coefficient 1.0, a 1280-channel
head and dropout 0.2. Its pooler is an AvgPool2d with a 1280-wide kernel and ceil_mode (global
average pooling by accident of the kernel size); it is replaced by AdaptiveAvgPool2d(1), the same
arithmetic, so exporters write a GlobalAveragePool every runtime knows."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from harness.zoo.entry import ZooEntry, edge_entry
from harness.zoo.hf import OutputField, transformers_module
from harness.zoo.layers import seeded

INPUT_SHAPE = (3, 224, 224)
NUM_CLASSES = 1000
SEED = 8224
#: torchvision efficientnet_b0 reports 5,288,548 parameters (Tan & Le 2019: 5.3M).
PUBLISHED_PARAMS = 5_288_548


def efficientnet_b0() -> nn.Module:
    """Return EfficientNet-B0 (random init) returning logits (N, 1000)."""
    tf = transformers_module("efficientnet_b0")
    config = tf.EfficientNetConfig(width_coefficient=1.0, depth_coefficient=1.0, image_size=224,
                                   hidden_dim=1280, dropout_rate=0.2, num_labels=NUM_CLASSES)
    model = tf.EfficientNetForImageClassification(config)
    model.efficientnet.pooler = nn.AdaptiveAvgPool2d(1)
    return OutputField(model, "logits")


def build(cache_dir: Path) -> nn.Module:
    """Return EfficientNet-B0 in eval mode with seeded random weights (BN stats from noise)."""
    del cache_dir
    return seeded(efficientnet_b0, SEED, INPUT_SHAPE, batch_size=4)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return edge_entry("efficientnet_b0", "EfficientNet-B0, 224×224", INPUT_SHAPE,
                      "classification", NUM_CLASSES, PUBLISHED_PARAMS, build)
