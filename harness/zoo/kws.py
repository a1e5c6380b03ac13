"""Keyword spotting: the MLPerf Tiny DS-CNN on 49×10 MFCC features, 12 classes."""

from __future__ import annotations

from torch import nn

from harness.zoo.layers import PooledClassifier, conv_bn_relu, depthwise_separable
from harness.zoo.seeded_model import SeededModel

INPUT_SHAPE = (1, 49, 10)
NUM_CLASSES = 12


class DSCNN(PooledClassifier):
    """DS-CNN: 10×4/2 conv, four depthwise-separable blocks, average pool, dense.

    Logits (N, 12) for MFCC input (N, 1, 49, 10)."""

    def __init__(self, filters: int = 64, blocks: int = 4, num_classes: int = NUM_CLASSES) -> None:
        # Keras "same" padding for 49×10 with a 10×4 stride-2 kernel gives 25×5; symmetric
        # padding (5, 1) gives the same shape (the sampling grid shifts by at most one row).
        layers = [conv_bn_relu(INPUT_SHAPE[0], filters, (10, 4), stride=2, padding=(5, 1))]
        layers += [depthwise_separable(filters, filters) for _ in range(blocks)]
        super().__init__(nn.Sequential(*layers), filters, num_classes)


MODEL = SeededModel("kws", "MLPerf Tiny keyword spotting DS-CNN on 49×10 MFCCs", DSCNN,
                    seed=1201, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES,
                    published_params=22_600)
#: The harness.zoo entry point.
entry = MODEL.entry
