"""Image classification: MobileNetV2 (width 1.0) on 224×224 RGB, 1000 classes.

transformers' MobileNetV2 with its default config is the published network (expansion 6,
1280-channel head); `tf_padding` keeps TensorFlow's "same" padding of the reference model."""

from __future__ import annotations

from torch import nn

from harness.zoo.hf import image_classifier
from harness.zoo.seeded_model import IMAGENET_CLASSES, imagenet_classifier


def mobilenet_v2() -> nn.Module:
    """Return MobileNetV2-1.0 (random init) returning logits (N, 1000)."""
    return image_classifier("mobilenet_v2", "MobileNetV2", IMAGENET_CLASSES,
                            depth_multiplier=1.0, expand_ratio=6.0, image_size=224,
                            finegrained_output=True, tf_padding=True)


#: published_params: torchvision mobilenet_v2 reports 3,504,872 (Sandler et al. 2018: 3.4M).
MODEL = imagenet_classifier("mobilenet_v2", "MobileNetV2 1.0, 224×224", mobilenet_v2, seed=2224,
                            published_params=3_504_872)
#: The harness.zoo entry point.
entry = MODEL.entry
