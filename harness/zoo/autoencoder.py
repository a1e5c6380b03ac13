"""Anomaly detection: the MLPerf Tiny fully connected autoencoder on 640 log-mel features."""

from __future__ import annotations

import torch
from torch import nn

from harness.zoo.seeded_model import SeededModel

INPUT_SHAPE = (640,)
_WIDTHS = (128, 128, 128, 128, 8, 128, 128, 128, 128)


def _dense_bn_relu(in_features: int, out_features: int) -> nn.Sequential:
    """Return Linear (no bias; BN folds into it) → BatchNorm1d → ReLU."""
    return nn.Sequential(
        nn.Linear(in_features, out_features, bias=False),
        nn.BatchNorm1d(out_features),
        nn.ReLU(inplace=True),
    )


class Autoencoder(nn.Module):
    """640→128×4→8→128×4→640 with BN + ReLU after every hidden dense layer."""

    def __init__(self, input_dim: int = INPUT_SHAPE[0]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        previous = input_dim
        for width in _WIDTHS:
            layers.append(_dense_bn_relu(previous, width))
            previous = width
        layers.append(nn.Linear(previous, input_dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the reconstruction (N, 640) of input (N, 640)."""
        return self.layers(x)


MODEL = SeededModel("autoencoder", "MLPerf Tiny anomaly detection FC autoencoder, 640 in",
                    Autoencoder, seed=640, input_shape=INPUT_SHAPE, num_classes=None,
                    published_params=265_900, task="reconstruction")
#: The harness.zoo entry point.
entry = MODEL.entry
