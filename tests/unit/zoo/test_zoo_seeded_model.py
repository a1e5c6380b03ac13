"""SeededModel, the data a random-weight zoo module declares: its build and its entry."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from harness.zoo.entry import RANDOM_WEIGHTS, UNTRAINED
from harness.zoo.layers import PooledClassifier, conv_bn_relu
from harness.zoo.seeded_model import SeededModel


def _tiny() -> nn.Module:
    return PooledClassifier(conv_bn_relu(1, 8, 3, padding=1), 8, 3)


def _model(calibration_batch: int | None) -> SeededModel:
    return SeededModel("tiny", "A two-layer CNN", _tiny, seed=7, input_shape=(1, 6, 6),
                       num_classes=3, published_params=107, calibration_batch=calibration_batch)


def test_build_is_seeded_calibrated_and_leaves_the_global_rng_alone(tmp_path: Path) -> None:
    state = torch.get_rng_state()
    first, second = _model(4).build(tmp_path), _model(4).build(tmp_path)
    assert torch.equal(state, torch.get_rng_state())
    assert not first.training
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), key
    norm = first.features[1]
    assert not torch.equal(norm.running_var, torch.ones(8))  # statistics from seeded noise
    uncalibrated = _model(None).build(tmp_path).features[1]
    assert torch.equal(uncalibrated.running_var, torch.ones(8))
    assert torch.equal(first.features[0].weight, _model(None).build(tmp_path).features[0].weight)


def test_entry_carries_the_declared_metadata(tmp_path: Path) -> None:
    model = _model(4)
    entry = model.entry()
    assert (entry.name, entry.input_name, entry.input_shape) == ("tiny", "input", (1, 6, 6))
    assert entry.description == "A two-layer CNN" + UNTRAINED
    assert (entry.num_classes, entry.task, entry.published_params) == (3, "classification", 107)
    assert entry.weights == RANDOM_WEIGHTS and entry.params_folded and entry.loader is None
    module = entry.build(tmp_path)
    assert entry.parameter_count(module) == 8 * 9 + 8 + 8 * 3 + 3 == 107  # BN folded
    with torch.inference_mode():
        assert module(torch.randn(2, 1, 6, 6)).shape == (2, 3)
