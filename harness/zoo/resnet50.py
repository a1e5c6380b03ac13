"""Image classification: ResNet-50 v1.5 (MLPerf Inference's ResNet-50) on 224×224 RGB, 1000 classes.

transformers' ResNet with its default config is v1.5: the stride-2 sits in each bottleneck's 3×3
conv, not its first 1×1 (downsample_in_bottleneck=False), as in torchvision and MLPerf."""

from __future__ import annotations

from torch import nn

from harness.zoo.hf import image_classifier
from harness.zoo.seeded_model import IMAGENET_CLASSES, imagenet_classifier


def resnet50() -> nn.Module:
    """Return ResNet-50 v1.5 (random init) returning logits (N, 1000)."""
    return image_classifier("resnet50", "ResNet", IMAGENET_CLASSES, embedding_size=64,
                            hidden_sizes=[256, 512, 1024, 2048], depths=[3, 4, 6, 3],
                            layer_type="bottleneck", hidden_act="relu",
                            downsample_in_first_stage=False, downsample_in_bottleneck=False)


#: published_params: torchvision resnet50 (25,557,032) and transformers' microsoft/resnet-50
#: report this count.
MODEL = imagenet_classifier("resnet50", "ResNet-50 v1.5 (MLPerf Inference image classification), "
                            "224×224", resnet50, seed=5015, published_params=25_557_032)
#: The harness.zoo entry point.
entry = MODEL.entry
