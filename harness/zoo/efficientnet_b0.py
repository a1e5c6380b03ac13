"""Image classification: EfficientNet-B0 on 224×224 RGB, 1000 classes.

transformers' EfficientNet defaults to B7; B0 is width and depth coefficient 1.0, a 1280-channel
head and dropout 0.2. Its pooler is an AvgPool2d with a 1280-wide kernel and ceil_mode (global
average pooling by accident of the kernel size); it is replaced by AdaptiveAvgPool2d(1), the same
arithmetic, so exporters write a GlobalAveragePool every runtime knows."""

from __future__ import annotations

from torch import nn

from harness.zoo.hf import image_classifier
from harness.zoo.seeded_model import IMAGENET_CLASSES, imagenet_classifier


def efficientnet_b0() -> nn.Module:
    """Return EfficientNet-B0 (random init) returning logits (N, 1000)."""
    classifier = image_classifier("efficientnet_b0", "EfficientNet", IMAGENET_CLASSES,
                                  width_coefficient=1.0, depth_coefficient=1.0, image_size=224,
                                  hidden_dim=1280, dropout_rate=0.2)
    classifier.model.efficientnet.pooler = nn.AdaptiveAvgPool2d(1)
    return classifier


#: published_params: torchvision efficientnet_b0 reports 5,288,548 (Tan & Le 2019: 5.3M).
MODEL = imagenet_classifier("efficientnet_b0", "EfficientNet-B0, 224×224", efficientnet_b0,
                            seed=8224, published_params=5_288_548)
#: The harness.zoo entry point.
entry = MODEL.entry
