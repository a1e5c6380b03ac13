"""Building blocks shared by the zoo architectures, and seeded construction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)


def seeded(factory: Callable[[], M], seed: int, input_shape: tuple[int, ...] | None = None,
           batch_size: int = 32) -> M:
    """Return `factory()` built under a fixed seed, leaving the global RNG state untouched.

    With `input_shape`, BatchNorm statistics are then estimated on seeded noise (two batches of
    `batch_size`): with PyTorch's default init and identity BN statistics, activations shrink
    layer by layer until the output no longer depends on the input, which would make fidelity
    metrics meaningless."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = factory()
        if input_shape is not None:
            calibrate_batchnorm(module, input_shape, batch_size=batch_size)
    return module.eval()


def calibrate_batchnorm(module: nn.Module, input_shape: tuple[int, ...], batches: int = 2,
                        batch_size: int = 32) -> None:
    """Set every BatchNorm's running statistics to their average over noise batches."""
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average over the calibration batches
    module.train()
    with torch.no_grad():
        for _ in range(batches):
            module(torch.randn(batch_size, *input_shape))
    for norm in norms:
        norm.momentum = 0.1
    module.eval()


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


class PooledClassifier(nn.Module):
    """`features`, then global average pooling and one dense layer: the head of the tiny CNNs."""

    def __init__(self, features: nn.Module, channels: int, num_classes: int) -> None:
        super().__init__()
        self.features = features
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (N, num_classes) for input (N, C, H, W)."""
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))
