"""engine=llama_cpp on a real 2-layer llama (random weights) converted and quantised here:
token counts, streaming, f32 logits against transformers on the same weights, quantisation
fallbacks, a user's .gguf file, and one harness-bench run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (extra 'llamacpp'; "
                    "it compiles llama.cpp from source, see README, llama.cpp)")
pytest.importorskip("gguf", reason="gguf is not installed (extra 'llamacpp')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")

from harness.core.errors import ModelError  # noqa: E402
from harness.generative.config import GenModelConfig  # noqa: E402
from harness.generative.llamacpp_engine import LlamaCppEngine, LlamaCppSession  # noqa: E402
from harness.generative.model_folder import model_folder  # noqa: E402
from harness.generative.quality import token_quality  # noqa: E402
from harness.generative.transformers_engine import TransformersEngine  # noqa: E402
from tests.e2e.conftest import gen_bench_record  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 1024,
        "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "rope_theta": 100000.0,
        "tie_word_embeddings": True}
PROMPTS = [list(np.random.default_rng(seed).integers(3, 1024, 32)) for seed in range(4)]


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> GenModelConfig:
    return GenModelConfig(name="tiny_llama", config=TINY,
                          cache_dir=str(tmp_path_factory.mktemp("cache")))


def _load(cfg: GenModelConfig, weight_format: str) -> LlamaCppSession:
    return LlamaCppEngine({"weight_format": weight_format, "threads": 2}).load(cfg)


def test_exactly_max_new_tokens_come_out_one_on_token_call_each(cfg: GenModelConfig) -> None:
    session = _load(cfg, "q8_0")
    try:
        calls: list[int] = []
        out = session.generate(PROMPTS[0], 12, calls.append)
        assert len(out) == 12 and calls == [1] * 12
        assert all(0 <= t < session.vocab_size for t in out)
        assert len(session.generate(PROMPTS[1][:5], 1, calls.append)) == 1
    finally:
        session.close()


def test_f32_logits_match_transformers_on_the_same_weights(cfg: GenModelConfig) -> None:
    folder = model_folder(cfg, cfg.cache_dir)
    reference = TransformersEngine({"threads": 2}).load(GenModelConfig(path=str(folder)))
    f32, f16, q8 = _load(cfg, "f32"), _load(cfg, "f16"), _load(cfg, "q8_0")
    try:
        exact = token_quality(reference, f32, PROMPTS)
        assert exact["positions"] == 4 * 32
        assert exact["agreement"] >= 0.99, exact  # the conversion (RoPE rows, vocab) is right
        assert exact["kl_mean_nats"] < 1e-4, exact
        half = token_quality(reference, f16, PROMPTS)
        quantised = token_quality(reference, q8, PROMPTS)
        # each step down costs something: f32 < f16 < Q8_0 in KL from the reference
        assert exact["kl_mean_nats"] < half["kl_mean_nats"] < quantised["kl_mean_nats"]
    finally:
        for session in (f32, f16, q8):
            session.close()


def test_generation_is_greedy_over_its_own_logits(cfg: GenModelConfig) -> None:
    session = _load(cfg, "f32")
    try:
        prompt = PROMPTS[2]
        out = session.generate(prompt, 8, lambda n: None)
        logits = session.logits(prompt + out)
        picked = logits[len(prompt) - 1:len(prompt) + 7].argmax(axis=-1)
        assert picked.tolist() == out
    finally:
        session.close()


def test_tokenize_matches_the_folder_sentencepiece_model(cfg: GenModelConfig) -> None:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_folder(cfg, cfg.cache_dir)
                                                   / "tokenizer.model"))
    session = _load(cfg, "q8_0")
    try:
        text = "def area(radius): return 3.14159 * radius ** 2  # circle"
        assert session.tokenize(text) == sp.encode(text)
    finally:
        session.close()


def test_q4_k_m_on_rows_of_64_reports_llama_cpp_fallback_types(cfg: GenModelConfig) -> None:
    session = _load(cfg, "q4_k_m")
    try:
        info = session.describe()
        types = info["tensor_types"]
        assert info["weight_format"] == "q4_k_m"
        assert types["rows_not_multiple_of_256"] == types["of_matrices"]  # every row is 64/128
        assert "q4_k" not in types["matrices"] and "q5_0" in types["matrices"]
        assert "multiples of 256" in info["quantisation_note"]
        path = Path(info["gguf_file"])
        assert path.name.endswith("-q4_k_m.gguf") and path.parent.name == "gguf"
        assert info["gguf_size_bytes"] == path.stat().st_size
        assert re.fullmatch(r"[0-9a-f]{64}", info["gguf_sha256"])
        assert len(session.generate(PROMPTS[3], 4, lambda n: None)) == 4
    finally:
        session.close()


def test_a_user_gguf_file_is_loaded_as_it_is(cfg: GenModelConfig, tmp_path: Path) -> None:
    made = _load(cfg, "q8_0")
    path = made.path
    made.close()
    session = LlamaCppEngine().load(GenModelConfig(name="mine", path=str(path)))
    try:
        info = session.describe()
        assert info["weights"] == "user GGUF file" and info["gguf_file"] == str(path)
        assert len(session.generate(PROMPTS[0], 3, lambda n: None)) == 3
    finally:
        session.close()
    with pytest.raises(ModelError):
        LlamaCppEngine().load(GenModelConfig(path=str(tmp_path / "missing.gguf")))


def test_a_harness_bench_run_with_q4_k_m_records_ok(tmp_path: Path) -> None:
    shape = {k: v for k, v in TINY.items()
             if k not in ("rope_theta", "rms_norm_eps", "tie_word_embeddings")}
    record = gen_bench_record(tmp_path, "llama_cpp", "generative.options.weight_format=q4_k_m",
                              "generative.options.threads=2", shape=shape)
    assert record["status"] == "ok", record["reason"]
    assert record["backend"]["name"] == "llama_cpp"
    assert record["backend"]["weight_format"] == "q4_k_m"
    gen = record["generative"]
    assert (gen["input_tokens"], gen["output_tokens"]) == (3 * 16, 3 * 8)
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    assert record["energy"]["j_per_output_token"] > 0
