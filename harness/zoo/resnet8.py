"""Image classification: the MLPerf Tiny ResNet-8 on 32×32 RGB (CIFAR-10), 10 classes."""

from __future__ import annotations

import torch
from torch import nn

from harness.zoo.layers import conv_bn_relu
from harness.zoo.seeded_model import SeededModel

INPUT_SHAPE = (3, 32, 32)
NUM_CLASSES = 10


class ResidualStack(nn.Module):
    """Two 3×3 convs with BN plus a shortcut; a 1×1 strided conv (no BN) when the shape changes."""

    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.conv1 = conv_bn_relu(in_ch, out_ch, 3, stride, 1)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        same_shape = stride == 1 and in_ch == out_ch
        self.shortcut = nn.Identity() if same_shape else nn.Conv2d(in_ch, out_ch, 1, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return relu(shortcut(x) + bn(conv(relu(bn(conv(x))))))."""
        return self.relu(self.shortcut(x) + self.bn2(self.conv2(self.conv1(x))))


class ResNet8(nn.Module):
    """ResNet-8: 3×3 stem of 16, stacks of 16, 32/2 and 64/2 filters, average pool, dense."""

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.stem = conv_bn_relu(INPUT_SHAPE[0], 16, 3, 1, 1)
        self.stacks = nn.Sequential(
            ResidualStack(16, 16, 1), ResidualStack(16, 32, 2), ResidualStack(32, 64, 2)
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(64, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (N, 10) for image input (N, 3, 32, 32)."""
        return self.classifier(torch.flatten(self.pool(self.stacks(self.stem(x))), 1))


MODEL = SeededModel("resnet8", "MLPerf Tiny image classification ResNet-8", ResNet8, seed=3232,
                    input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES, published_params=77_700)
#: The harness.zoo entry point.
entry = MODEL.entry
