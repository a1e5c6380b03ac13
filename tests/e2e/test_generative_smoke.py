"""One generative run end to end: a 2-layer SmolLM2-shaped model, random weights, transformers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import one_record, tiny_gen

pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")


def test_a_generative_run_records_ttft_tpot_and_enforced_token_counts(tmp_path: Path) -> None:
    record = one_record(tmp_path, *tiny_gen(
        "generative.quality.enabled=true", "generative.quality.prompts=2",
        "generative.quality.tokens=8", requests=4, shape={"num_hidden_layers": 2}))
    assert record["status"] == "ok", record["reason"]
    gen = record["generative"]
    prompts = record["config"]["generative"]["prompts"]
    assert (prompts["input_tokens"], prompts["output_tokens"]) == (16, 8)
    assert (gen["input_tokens"], gen["output_tokens"]) == (4 * 16, 4 * 8)  # over 4 requests
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    assert gen["system_output_tokens_per_s"] > 0
    assert gen["traces"], "the raw per-request timestamps are kept"
    quality = gen["quality"]  # the reference judged against itself
    assert quality["agreement"] == 1.0 and quality["positions"] == 16, quality
