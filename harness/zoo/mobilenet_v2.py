"""Image classification: MobileNetV2 (width 1.0) on 224×224 RGB, 1000 classes.

transformers' MobileNetV2 with its default config is the published network (expansion 6,
1280-channel head); `tf_padding` keeps TensorFlow's "same" padding of the reference model."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from harness.zoo.entry import ZooEntry, edge_entry
from harness.zoo.hf import OutputField, transformers_module
from harness.zoo.layers import seeded

INPUT_SHAPE = (3, 224, 224)
NUM_CLASSES = 1000
SEED = 2224
#: torchvision mobilenet_v2 reports 3,504,872 parameters (Sandler et al. 2018: 3.4M).
PUBLISHED_PARAMS = 3_504_872


def mobilenet_v2() -> nn.Module:
    """Return MobileNetV2-1.0 (random init) returning logits (N, 1000)."""
    tf = transformers_module("mobilenet_v2")
    config = tf.MobileNetV2Config(depth_multiplier=1.0, expand_ratio=6.0, image_size=224,
                                  finegrained_output=True, tf_padding=True,
                                  num_labels=NUM_CLASSES)
    return OutputField(tf.MobileNetV2ForImageClassification(config), "logits")


def build(cache_dir: Path) -> nn.Module:
    """Return MobileNetV2 in eval mode with seeded random weights (BN stats from noise)."""
    del cache_dir
    return seeded(mobilenet_v2, SEED, INPUT_SHAPE, batch_size=4)


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return edge_entry("mobilenet_v2", "MobileNetV2 1.0, 224×224", INPUT_SHAPE, "classification",
                      NUM_CLASSES, PUBLISHED_PARAMS, build)
