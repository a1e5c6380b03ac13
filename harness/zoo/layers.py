"""Building blocks shared by the zoo architectures, and seeded construction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)


def seeded(factory: Callable[[], M], seed: int) -> M:
    """Return `factory()` built under a fixed seed, leaving the global RNG state untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = factory()
    return module.eval()


def conv_bn_relu(
    in_ch: int,
    out_ch: int,
    kernel: int | tuple[int, int],
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    groups: int = 1,
) -> nn.Sequential:
    """Return Conv2d (no bias; BN folds into it) → BatchNorm2d → ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, kernel, stride, padding, groups=groups, bias=False),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True),
    )


def depthwise_separable(in_ch: int, out_ch: int, stride: int = 1) -> nn.Sequential:
    """Return a 3×3 depthwise + BN + ReLU, then 1×1 pointwise + BN + ReLU block."""
    return nn.Sequential(
        conv_bn_relu(in_ch, in_ch, 3, stride, 1, groups=in_ch),
        conv_bn_relu(in_ch, out_ch, 1),
    )
