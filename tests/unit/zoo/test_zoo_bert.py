"""BERT-base in the zoo: BertConfig() defaults, random weights, three int64 inputs at 384."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import zoo
from harness.core.errors import ConfigError
from harness.models.config import InputSpec, ModelConfig
from harness.models.inputs import batched_samples
from harness.models.source import load_model

pytest.importorskip("transformers")


def test_bert_base_loads_with_three_token_inputs_and_random_weights(tmp_path: Path) -> None:
    entry = zoo.get("bert_base")
    assert "random weights" in entry.description
    model = load_model(ModelConfig(name="bert_base"), tmp_path)
    assert [(s.name, s.shape, s.dtype) for s in model.inputs] == [
        (n, (1, 384), "int64") for n in ("input_ids", "attention_mask", "token_type_ids")]
    assert abs(model.parameter_count - 110e6) < 0.02 * 110e6  # BERT-base, pooler left out
    feed = batched_samples(model, 1, 0)[0]
    assert (feed["attention_mask"] == 1).all() and (feed["token_type_ids"] == 0).all()
    assert 0 <= feed["input_ids"].min() and feed["input_ids"].max() < 30522
    assert model.reference(feed)[0].shape == (1, 384, 768)


def test_zoo_inputs_are_checked_like_any_model_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="axis 1 is fixed at 384"):
        load_model(ModelConfig(name="bert_base", inputs={"input_ids": InputSpec(
            shape=[1, 128])}), tmp_path)
    with pytest.raises(ConfigError, match="does not have"):
        load_model(ModelConfig(name="kws", inputs={"tokens": InputSpec(value=1)}), tmp_path)
