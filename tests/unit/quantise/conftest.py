"""Small real models, exported once per session with the harness's exporter to a temp cache."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import nn

from harness.core.artifact import Artifact, TensorSpec
from harness.core.cache import ArtifactCache
from harness.export.onnx_export import export_onnx
from harness.models.config import ModelConfig
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel, weights_hash


class SmallConvNet(nn.Module):
    """Conv + BN + ReLU twice, then a dense classifier: most weights are in the convs."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.classifier = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def small_mlp() -> nn.Module:
    """An autoencoder-like MLP: every weight is in a Linear (Gemm) layer."""
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))


def loaded(name: str, factory: Callable[[], nn.Module], shape: tuple[int, ...],
           task: str) -> LoadedModel:
    torch.manual_seed(0)
    module = factory().eval()
    return LoadedModel(
        name=name, module=module, inputs=(TensorSpec("input", (1, *shape)),), task=task,
        num_classes=10 if task == "classification" else None, dataset=None,
        weights_sha256=weights_hash(module),
        parameter_count=sum(p.numel() for p in module.parameters()),
    )


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> ArtifactCache:
    return ArtifactCache(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def conv_model() -> LoadedModel:
    return loaded("small_conv", SmallConvNet, (3, 8, 8), "classification")


@pytest.fixture(scope="session")
def mlp_model() -> LoadedModel:
    return loaded("small_mlp", small_mlp, (64,), "reconstruction")


@pytest.fixture(scope="session")
def conv_fp32(conv_model: LoadedModel, cache: ArtifactCache) -> Artifact:
    return export_onnx(conv_model, ModelConfig(name="small_conv"), cache)


@pytest.fixture(scope="session")
def mlp_fp32(mlp_model: LoadedModel, cache: ArtifactCache) -> Artifact:
    return export_onnx(mlp_model, ModelConfig(name="small_mlp"), cache)


def calibration(model: LoadedModel, size: int = 16) -> CalibrationSet:
    data = np.random.default_rng(1).standard_normal((size, *model.inputs[0].shape[1:]))
    return CalibrationSet(data.astype(np.float32), list(range(size)), "test noise")
