"""The trained digits CNN: real data, held-out accuracy and the weight cache."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch

from harness import zoo
from harness.zoo import digits


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> digits.TrainedWeights:
    """Train once into a fresh cache folder shared by this module's tests."""
    weights = digits.load_or_train(tmp_path_factory.mktemp("zoo-cache"))
    assert weights.trained
    return weights


def test_dataset_is_a_fixed_stratified_split() -> None:
    data = zoo.get("digits").dataset()
    assert data is not None and data.name == "sklearn-digits"
    assert data.train_x.shape == (1347, 1, 8, 8) and data.test_x.shape == (450, 1, 8, 8)
    assert data.train_x.dtype == np.float32 and data.train_y.dtype == np.int64
    assert 0.0 <= data.train_x.min() and data.train_x.max() <= 1.0
    per_class = np.bincount(data.train_y) + np.bincount(data.test_y)
    assert np.abs(np.bincount(data.test_y) - per_class / 4).max() <= 1  # stratified 25%
    again = zoo.get("digits").dataset()
    assert again is not None and np.array_equal(data.test_x, again.test_x)


def test_trained_model_reaches_95_percent(trained: digits.TrainedWeights) -> None:
    data = digits.dataset()
    model = zoo.get("digits").build(trained.path.parent)
    assert not model.training
    assert digits.accuracy(model, data.test_x, data.test_y) >= 0.95


def test_second_build_loads_from_cache(trained: digits.TrainedWeights) -> None:
    mtime = trained.path.stat().st_mtime_ns
    again = digits.load_or_train(trained.path.parent)
    assert not again.trained
    assert trained.path.stat().st_mtime_ns == mtime
    for key, value in trained.state.items():
        assert torch.equal(value, again.state[key]), key
    assert [p.name for p in trained.path.parent.iterdir()] == [trained.path.name]


@pytest.mark.parametrize("batch", [1, 4])
def test_output_shape(trained: digits.TrainedWeights, batch: int) -> None:
    model = zoo.get("digits").build(trained.path.parent)
    with torch.inference_mode():
        assert model(torch.rand(batch, 1, 8, 8)).shape == (batch, 10)


def test_two_builds_are_identical(trained: digits.TrainedWeights) -> None:
    first = zoo.get("digits").build(trained.path.parent)
    second = zoo.get("digits").build(trained.path.parent)
    x = torch.from_numpy(digits.dataset().test_x[:8])
    with torch.inference_mode():
        assert torch.equal(first(x), second(x))


def test_cache_key_depends_on_torch_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = digits.cache_path(tmp_path)
    monkeypatch.setattr(torch, "__version__", "0.0.0-other")
    assert digits.cache_path(tmp_path) != before


def test_corrupt_cache_is_retrained(
    trained: digits.TrainedWeights, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = digits.cache_path(tmp_path)
    path.write_bytes(trained.path.read_bytes()[:200])  # truncated archive
    with caplog.at_level(logging.WARNING, logger=digits.__name__):
        rebuilt = digits.load_or_train(tmp_path)
    assert rebuilt.trained and "unreadable" in caplog.text
    for key, value in trained.state.items():  # training is deterministic
        assert torch.equal(value, rebuilt.state[key]), key
    assert not digits.load_or_train(tmp_path).trained
