"""The zoo registry: names, metadata and the unknown-name error."""

from __future__ import annotations

import pytest

from harness import zoo
from harness.core.errors import ConfigError

MLPERF_TINY = ["autoencoder", "kws", "resnet8", "vww"]


MLPERF_EDGE = ["efficientnet_b0", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small",
               "resnet50", "vit_small", "whisper_tiny_encoder", "yolov8n"]
TASKS = {"classification", "reconstruction", "detection", "speech_encoding", "other"}


def test_names_lists_every_model_sorted() -> None:
    assert zoo.names() == sorted(["autoencoder", "bert_base", "digits", "kws", "resnet8", "vww",
                                  *MLPERF_EDGE])


@pytest.mark.parametrize("name", zoo.names())
def test_entry_metadata_is_consistent(name: str) -> None:
    entry = zoo.get(name)
    assert entry.name == name
    inputs = entry.model_inputs()
    assert (inputs[0].name, inputs[0].shape) == (entry.input_name, entry.input_shape)
    assert entry.input_name == ("input" if len(inputs) == 1 else "input_ids")
    assert entry.description
    assert all(isinstance(d, int) and d > 0 for i in inputs for d in i.shape)
    assert entry.task in TASKS
    if entry.task == "classification":
        assert entry.num_classes is not None and entry.num_classes >= 2
    else:
        assert entry.num_classes is None


@pytest.mark.parametrize("name", MLPERF_TINY)
def test_mlperf_tiny_models_ship_no_dataset(name: str) -> None:
    assert zoo.get(name).dataset() is None
    assert zoo.get(name).published_params is not None


def test_unknown_name_lists_valid_names_and_suggests() -> None:
    with pytest.raises(ConfigError) as info:
        zoo.get("resnet9")
    message = str(info.value)
    assert "Did you mean 'resnet8'?" in message
    for name in zoo.names():
        assert name in message


def test_unknown_name_without_close_match_still_lists_names() -> None:
    with pytest.raises(ConfigError, match="Valid model names: autoencoder, bert_base, digits"):
        zoo.get("gpt-neox")
