"""A harness-bench run on onnxruntime-genai's int4 build of a tiny llama (2 layers, hidden 64,
random weights): an ok record with exact token counts, the build described, quality judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import quantised_gen_record

pytest.importorskip("onnxruntime_genai", reason="onnxruntime-genai is not installed (extra "
                    "'genai-ort')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
TINY = {"num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 512,
        "max_position_embeddings": 256}


@pytest.mark.slow
def test_an_int4_run_records_the_build_and_exact_token_counts(tmp_path: Path) -> None:
    record, backend, gen = quantised_gen_record(tmp_path, "onnxruntime_genai", "int4", TINY)
    assert backend["name"] == "onnxruntime_genai"
    assert backend["build_cache_hit"] is False and backend["build_s"] > 0
    built = Path(backend["built_model_dir"])
    assert built.parent == tmp_path / "cache" / "generative" / "ortgenai"
    assert built.name.endswith("-int4") and (built / "model.onnx").is_file()
    assert record["energy"]["meter"] == "estimated"
    quality = gen["quality"]  # int4 against the transformers float32 reference
    assert quality["positions"] == 16, quality
    assert 0.5 <= quality["agreement"] <= 1.0 and quality["kl_mean_nats"] >= 0
