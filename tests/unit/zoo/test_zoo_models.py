"""The four MLPerf Tiny architectures: shapes, published sizes, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from harness import zoo

# Exact folded counts of these implementations; the published MLPerf Tiny numbers are rounded.
FOLDED_PARAMS = {"kws": 22_604, "vww": 210_850, "resnet8": 77_706, "autoencoder": 265_864}


@pytest.fixture(params=sorted(FOLDED_PARAMS))
def entry(request: pytest.FixtureRequest) -> zoo.ZooEntry:
    return zoo.get(request.param)


def _output_width(entry: zoo.ZooEntry) -> int:
    return entry.num_classes if entry.num_classes is not None else entry.input_shape[0]


@pytest.mark.parametrize("batch", [1, 4])
def test_output_shape(entry: zoo.ZooEntry, batch: int, tmp_path: Path) -> None:
    model = entry.build(tmp_path)
    assert not model.training
    with torch.inference_mode():
        out = model(torch.randn(batch, *entry.input_shape))
    assert out.shape == (batch, _output_width(entry))
    assert torch.isfinite(out).all()


def test_folded_parameters_match_published(entry: zoo.ZooEntry, tmp_path: Path) -> None:
    count = zoo.folded_parameter_count(entry.build(tmp_path))
    assert count == FOLDED_PARAMS[entry.name]
    assert entry.published_params is not None
    assert abs(count - entry.published_params) <= 0.05 * entry.published_params


def test_two_builds_are_identical(entry: zoo.ZooEntry, tmp_path: Path) -> None:
    first, second = entry.build(tmp_path), entry.build(tmp_path)
    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    x = torch.randn(2, *entry.input_shape, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        assert torch.equal(first(x), second(x))


def test_build_leaves_global_rng_alone(entry: zoo.ZooEntry, tmp_path: Path) -> None:
    state = torch.get_rng_state()
    entry.build(tmp_path)
    assert torch.equal(state, torch.get_rng_state())
