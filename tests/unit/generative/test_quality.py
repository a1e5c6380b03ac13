"""Quality of a generative engine against the transformers reference: the arithmetic on known
logits, and the real run step (the reference against itself agrees fully)."""

from __future__ import annotations

import numpy as np
import pytest

from harness.core.errors import ConfigError
from harness.generative.config import GenerativeConfig, GenModelConfig, GenQualityConfig
from harness.generative.quality import compare_logits, log_softmax, perplexity

TINY = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, vocab_size=512, max_position_embeddings=256,
            tie_word_embeddings=True)


def test_identical_logits_agree_fully_with_zero_kl() -> None:
    logits = np.random.default_rng(0).normal(size=(5, 11))
    r = compare_logits(logits, logits)
    assert r["agreement"] == 1.0 and r["kl_mean_nats"] == pytest.approx(0.0, abs=1e-12)


def test_kl_and_agreement_match_hand_arithmetic() -> None:
    p = np.log(np.array([[0.5, 0.5], [0.9, 0.1]]))
    q = np.log(np.array([[0.25, 0.75], [0.9, 0.1]]))
    r = compare_logits(p, q)
    kl0 = 0.5 * np.log(0.5 / 0.25) + 0.5 * np.log(0.5 / 0.75)
    assert r["kl_mean_nats"] == pytest.approx(kl0 / 2)
    assert r["agreement"] == 0.5  # row 0: argmax 0 (tie -> first) vs 1; row 1 agrees


def test_a_padded_vocabulary_is_compared_on_the_common_part() -> None:
    ref = np.random.default_rng(1).normal(size=(3, 8))
    padded = np.concatenate([ref, np.full((3, 4), -1e9)], axis=1)
    assert compare_logits(ref, padded)["kl_mean_nats"] == pytest.approx(0.0, abs=1e-9)


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size() -> None:
    assert perplexity(np.zeros((6, 7)), [1, 2, 3, 4, 5, 6]) == pytest.approx(7.0)
    assert np.allclose(np.exp(log_softmax(np.zeros((1, 4)))).sum(), 1.0)


def test_bad_quality_settings_fail_at_composition() -> None:
    with pytest.raises(ConfigError, match="generative.quality.tokens"):
        GenQualityConfig(tokens=1)


def test_the_reference_judged_against_itself_agrees_fully() -> None:
    pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
    from harness.generative.engine import create_engine
    from harness.generative.quality_run import measure_quality

    cfg = GenerativeConfig(model=GenModelConfig(name="tiny", config=TINY),
                           quality=GenQualityConfig(enabled=True, prompts=2, tokens=8))
    session = create_engine("transformers").load(cfg.model)
    try:
        q = measure_quality(cfg, session, "cpu")
    finally:
        session.close()
    assert "error" not in q, q
    assert q["agreement"] == 1.0 and q["kl_mean_nats"] < 1e-6
    assert q["positions"] == 16 and q["perplexity_reference"] is None
    assert "random weights" in q["perplexity_note"]
