"""Visual wake words: the MLPerf Tiny MobileNetV1 (α = 0.25) on 96×96 RGB, 2 classes."""

from __future__ import annotations

from torch import nn

from harness.zoo.layers import PooledClassifier, conv_bn_relu, depthwise_separable
from harness.zoo.seeded_model import SeededModel

INPUT_SHAPE = (3, 96, 96)
NUM_CLASSES = 2

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


class MobileNetV1(PooledClassifier):
    """MobileNetV1: 3×3/2 stem, 13 depthwise-separable blocks, average pool, dense.

    Logits (N, 2) for image input (N, 3, 96, 96)."""

    def __init__(self, alpha: float = 0.25, num_classes: int = NUM_CLASSES) -> None:
        channels = int(32 * alpha)
        layers = [conv_bn_relu(INPUT_SHAPE[0], channels, 3, stride=2, padding=1)]
        for width, stride in _BLOCKS:
            out = int(width * alpha)
            layers.append(depthwise_separable(channels, out, stride))
            channels = out
        super().__init__(nn.Sequential(*layers), channels, num_classes)


MODEL = SeededModel("vww", "MLPerf Tiny visual wake words MobileNetV1-0.25, 96×96", MobileNetV1,
                    seed=9696, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES,
                    published_params=210_900)
#: The harness.zoo entry point.
entry = MODEL.entry
