"""folded_parameter_count on hand-built modules whose folded counts are known."""

from __future__ import annotations

from torch import nn

from harness.zoo import folded_parameter_count


def test_conv_without_bias_gains_bias_from_bn() -> None:
    module = nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8), nn.ReLU())
    assert folded_parameter_count(module) == 3 * 8 * 9 + 8


def test_conv_with_bias_keeps_its_bias_and_drops_bn() -> None:
    module = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
    assert folded_parameter_count(module) == 3 * 8 * 9 + 8


def test_linear_and_batchnorm1d_fold() -> None:
    module = nn.Sequential(nn.Linear(10, 4, bias=False), nn.BatchNorm1d(4), nn.Linear(4, 2))
    assert folded_parameter_count(module) == 40 + 4 + 8 + 2


def test_without_batchnorm_it_is_the_plain_count() -> None:
    module = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4, 3))
    assert folded_parameter_count(module) == sum(p.numel() for p in module.parameters())


def test_depthwise_conv_folds_per_channel() -> None:
    module = nn.Sequential(nn.Conv2d(16, 16, 3, groups=16, bias=False), nn.BatchNorm2d(16))
    assert folded_parameter_count(module) == 16 * 9 + 16
