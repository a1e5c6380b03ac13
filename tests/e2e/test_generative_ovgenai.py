"""A harness-bench run on engine=openvino_genai with int8 weights: a tiny 2-layer Llama in the
SmolLM2 shape, converted locally, measured, and judged against transformers in the record."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import quantised_gen_record

pytest.importorskip("openvino_genai", reason="openvino-genai is not installed (extra 'genai-ov')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 8000}


@pytest.mark.slow  # a conversion and a run in a subprocess: ~11 s CPU, ~30 s wall under load
def test_an_int8_openvino_genai_run_gives_an_ok_record(tmp_path: Path) -> None:
    _, backend, gen = quantised_gen_record(tmp_path, "openvino_genai", "int8", TINY)
    assert backend["engine"] == "openvino_genai"
    assert backend["compression"]["mode"] == "INT8_ASYM" and backend["cache_hit"] is False
    assert gen["quality"]["agreement"] > 0.5
    converted = tmp_path / "cache" / "generative" / "ovgenai"
    assert [p.name.endswith("-int8") for p in converted.iterdir()] == [True]
