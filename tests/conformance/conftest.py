"""Shared, session-scoped fixtures: zoo models, a temporary artifact cache, calibration data."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.cache import ArtifactCache
from harness.models.config import ModelConfig
from harness.models.source import LoadedModel, load_model

ZOO_CACHE = Path(__file__).resolve().parents[2] / "models" / ".cache"
_MODELS: dict[str, LoadedModel] = {}


@pytest.fixture(scope="session")
def conformance_cache(tmp_path_factory: pytest.TempPathFactory) -> ArtifactCache:
    """Return one artifact cache for the whole run, so backends share ONNX exports."""
    return ArtifactCache(tmp_path_factory.mktemp("conformance-cache"))


@pytest.fixture(scope="session")
def zoo_dir() -> Path:
    """Return the zoo's weights folder (trained weights are reused across test runs)."""
    return ZOO_CACHE


def zoo_model(name: str, cache_dir: Path = ZOO_CACHE) -> LoadedModel:
    """Return the zoo model `name` at batch 1, built once per test session."""
    if name not in _MODELS:
        _MODELS[name] = load_model(ModelConfig(name=name, batch_size=1), cache_dir)
    return _MODELS[name]
