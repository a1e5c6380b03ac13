"""Image classification: MobileNetV3 Large and Small (Howard et al. 2019) on 224×224, 1000 classes.

transformers has no MobileNetV3, so it is written here from the paper's Tables 1 and 2, with the
layer choices torchvision makes (BatchNorm eps 0.001, squeeze-excite width expanded/4 rounded to
8, Hardswish / Hardsigmoid, a 1280- or 1024-wide pre-classifier layer, dropout 0.2)."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import torch
from torch import nn

from harness.zoo.seeded_model import IMAGENET_CLASSES, IMAGENET_SHAPE, imagenet_classifier

SEED = 3224
#: torchvision mobilenet_v3_large / _small report these counts (paper: 5.4M and 2.5M).
PUBLISHED_PARAMS = {"large": 5_483_032, "small": 2_542_856}


class Block(NamedTuple):
    """One bottleneck row of the paper's table."""

    kernel: int
    expanded: int
    out: int
    se: bool
    hardswish: bool
    stride: int


# Howard et al. 2019, Table 1 (Large) and Table 2 (Small): k, exp size, #out, SE, NL, s.
_LARGE = [Block(3, 16, 16, False, False, 1), Block(3, 64, 24, False, False, 2),
          Block(3, 72, 24, False, False, 1), Block(5, 72, 40, True, False, 2),
          Block(5, 120, 40, True, False, 1), Block(5, 120, 40, True, False, 1),
          Block(3, 240, 80, False, True, 2), Block(3, 200, 80, False, True, 1),
          Block(3, 184, 80, False, True, 1), Block(3, 184, 80, False, True, 1),
          Block(3, 480, 112, True, True, 1), Block(3, 672, 112, True, True, 1),
          Block(5, 672, 160, True, True, 2), Block(5, 960, 160, True, True, 1),
          Block(5, 960, 160, True, True, 1)]
_SMALL = [Block(3, 16, 16, True, False, 2), Block(3, 72, 24, False, False, 2),
          Block(3, 88, 24, False, False, 1), Block(5, 96, 40, True, True, 2),
          Block(5, 240, 40, True, True, 1), Block(5, 240, 40, True, True, 1),
          Block(5, 120, 48, True, True, 1), Block(5, 144, 48, True, True, 1),
          Block(5, 288, 96, True, True, 2), Block(5, 576, 96, True, True, 1),
          Block(5, 576, 96, True, True, 1)]
_VARIANTS = {"large": (_LARGE, 1280), "small": (_SMALL, 1024)}


def make_divisible(value: float, divisor: int = 8) -> int:
    """Return `value` rounded to a multiple of `divisor`, never below 90% of it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn(in_ch: int, out_ch: int, kernel: int, stride: int = 1, groups: int = 1,
            act: type[nn.Module] | None = nn.ReLU) -> nn.Sequential:
    """Return Conv2d ("same" padding, no bias) → BatchNorm2d → `act` (None: no activation)."""
    layers: list[nn.Module] = [
        nn.Conv2d(in_ch, out_ch, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_ch, eps=0.001, momentum=0.01),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """Channel attention: global pool → 1×1 conv → ReLU → 1×1 conv → Hardsigmoid → scale."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        squeezed = make_divisible(channels / 4)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return x scaled per channel by its squeeze-excite weights."""
        scale = nn.functional.adaptive_avg_pool2d(x, 1)
        scale = nn.functional.hardsigmoid(self.fc2(nn.functional.relu(self.fc1(scale))))
        return x * scale


class InvertedResidual(nn.Module):
    """1×1 expand → k×k depthwise → (squeeze-excite) → 1×1 project, plus a shortcut at stride 1."""

    def __init__(self, in_ch: int, block: Block) -> None:
        super().__init__()
        act = nn.Hardswish if block.hardswish else nn.ReLU
        layers: list[nn.Module] = []
        if block.expanded != in_ch:
            layers.append(conv_bn(in_ch, block.expanded, 1, act=act))
        layers.append(conv_bn(block.expanded, block.expanded, block.kernel, block.stride,
                              groups=block.expanded, act=act))
        if block.se:
            layers.append(SqueezeExcite(block.expanded))
        layers.append(conv_bn(block.expanded, block.out, 1, act=None))
        self.block = nn.Sequential(*layers)
        self.shortcut = block.stride == 1 and in_ch == block.out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the block's output, with x added when the shape is unchanged."""
        out = self.block(x)
        return x + out if self.shortcut else out


class MobileNetV3(nn.Module):
    """MobileNetV3: 3×3/2 Hardswish stem of 16, the table's blocks, 1×1 to 6× width, pool, MLP."""

    def __init__(self, variant: str = "large", num_classes: int = IMAGENET_CLASSES) -> None:
        super().__init__()
        blocks, hidden = _VARIANTS[variant]
        layers: list[nn.Module] = [conv_bn(IMAGENET_SHAPE[0], 16, 3, 2, act=nn.Hardswish)]
        channels = 16
        for block in blocks:
            layers.append(InvertedResidual(channels, block))
            channels = block.out
        layers.append(conv_bn(channels, 6 * channels, 1, act=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(6 * channels, hidden), nn.Hardswish(),
                                        nn.Dropout(0.2), nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (N, 1000) for image input (N, 3, 224, 224)."""
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


LARGE = imagenet_classifier("mobilenet_v3_large", "MobileNetV3-Large 1.0, 224×224",
                            partial(MobileNetV3, "large"), SEED, PUBLISHED_PARAMS["large"])
SMALL = imagenet_classifier("mobilenet_v3_small", "MobileNetV3-Small 1.0, 224×224",
                            partial(MobileNetV3, "small"), SEED, PUBLISHED_PARAMS["small"])
#: The harness.zoo entry points.
entry_large = LARGE.entry
entry_small = SMALL.entry
