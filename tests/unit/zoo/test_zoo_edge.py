"""The MLPerf edge-class architectures: published sizes, output shapes, random-weight labelling."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from harness import zoo
from harness.models.config import ModelConfig
from harness.models.source import load_zoo, weights_fields
from harness.zoo.entry import RANDOM_WEIGHTS, RANDOM_WEIGHTS_NOTE

# name -> (needs transformers, output shape for batch 1)
EDGE = {
    "resnet50": (True, (1, 1000)),
    "mobilenet_v2": (True, (1, 1000)),
    "mobilenet_v3_large": (False, (1, 1000)),
    "mobilenet_v3_small": (False, (1, 1000)),
    "efficientnet_b0": (True, (1, 1000)),
    "yolov8n": (False, (1, 84, 8400)),
    "vit_small": (True, (1, 1000)),
    "whisper_tiny_encoder": (True, (1, 1500, 384)),
}


@pytest.fixture(params=sorted(EDGE))
def edge(request: pytest.FixtureRequest) -> zoo.ZooEntry:
    if EDGE[request.param][0]:
        pytest.importorskip("transformers", reason="defined by transformers (pip install '.[hf]')")
    return zoo.get(request.param)


def test_builds_with_the_published_size_and_output_shape(edge: zoo.ZooEntry,
                                                        tmp_path: Path) -> None:
    model = edge.build(tmp_path)
    assert not model.training
    count = edge.parameter_count(model)
    assert edge.published_params is not None
    assert abs(count - edge.published_params) <= 0.01 * edge.published_params
    x = torch.randn(1, *edge.input_shape, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        out = model(x)
    assert tuple(out.shape) == EDGE[edge.name][1]
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", sorted(EDGE))
def test_entries_say_their_weights_are_random(name: str) -> None:
    entry = zoo.get(name)
    assert entry.weights == RANDOM_WEIGHTS
    assert "seeded random weights" in entry.description
    assert not entry.params_folded  # published counts include BatchNorm
    assert entry.dataset() is None  # nothing to report task accuracy on


def test_record_fields_carry_the_random_weights_note(tmp_path: Path) -> None:
    loaded = load_zoo(ModelConfig(name="mobilenet_v3_small"), tmp_path)
    assert loaded.provenance["weights"] == RANDOM_WEIGHTS
    assert loaded.provenance["weights_note"] == RANDOM_WEIGHTS_NOTE
    assert "accuracy is meaningless" in RANDOM_WEIGHTS_NOTE
    trained = weights_fields(zoo.get("digits"))
    assert "weights_note" not in trained and trained["weights"].startswith("trained")


def test_builds_are_deterministic_and_leave_the_global_rng_alone(tmp_path: Path) -> None:
    entry = zoo.get("mobilenet_v3_small")
    state = torch.get_rng_state()
    first, second = entry.build(tmp_path), entry.build(tmp_path)
    assert torch.equal(state, torch.get_rng_state())
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), key
