"""Image classification: ResNet-50 v1.5 (MLPerf Inference's ResNet-50) on 224×224 RGB, 1000 classes.

transformers' ResNet with its default config is v1.5: the stride-2 sits in each bottleneck's 3×3
conv, not its first 1×1 (downsample_in_bottleneck=False), as in torchvision and MLPerf."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from harness.zoo.entry import ZooEntry, edge_entry
from harness.zoo.hf import OutputField, transformers_module
from harness.zoo.layers import seeded

INPUT_SHAPE = (3, 224, 224)
NUM_CLASSES = 1000
SEED = 5015
#: torchvision resnet50 (25,557,032) and transformers' microsoft/resnet-50 report this count.
PUBLISHED_PARAMS = 25_557_032


def resnet50() -> nn.Module:
    """Return ResNet-50 v1.5 (random init) returning logits (N, 1000)."""
    tf = transformers_module("resnet50")
    config = tf.ResNetConfig(embedding_size=64, hidden_sizes=[256, 512, 1024, 2048],
                             depths=[3, 4, 6, 3], layer_type="bottleneck", hidden_act="relu",
                             downsample_in_first_stage=False, downsample_in_bottleneck=False,
                             num_labels=NUM_CLASSES)
    return OutputField(tf.ResNetForImageClassification(config), "logits")


def build(cache_dir: Path) -> nn.Module:
    """Return ResNet-50 v1.5 in eval mode with seeded random weights (BN stats from noise)."""
    del cache_dir
    return seeded(resnet50, SEED, INPUT_SHAPE, batch_size=4)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return edge_entry("resnet50", "ResNet-50 v1.5 (MLPerf Inference image classification), "
                      "224×224", INPUT_SHAPE, "classification", NUM_CLASSES, PUBLISHED_PARAMS,
                      build)
