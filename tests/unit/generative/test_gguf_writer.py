"""The harness's GGUF writer on a real 2-layer llama folder, read back with the gguf package."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

gguf = pytest.importorskip("gguf", reason="gguf is not installed (extra 'llamacpp')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
pytest.importorskip("sentencepiece", reason="sentencepiece is not installed (extra 'hf')")

from harness.core.errors import ModelError  # noqa: E402
from harness.generative.config import GenModelConfig  # noqa: E402
from harness.generative.gguf_writer import write_gguf_f32  # noqa: E402
from harness.generative.model_folder import model_folder  # noqa: E402

TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 1024,
        "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "rope_theta": 100000.0,
        "tie_word_embeddings": True}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    return model_folder(GenModelConfig(name="tiny_llama", config=TINY), cache)


def _field(reader: object, key: str) -> object:
    return reader.fields[key].contents()  # type: ignore[attr-defined]


def test_the_gguf_holds_the_llama_shape_vocabulary_and_weights(folder: Path,
                                                              tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    out = tmp_path / "tiny.gguf"
    write_gguf_f32(folder, out, "tiny_llama")
    r = gguf.GGUFReader(str(out))
    assert _field(r, "general.architecture") == "llama"
    assert (_field(r, "llama.block_count"), _field(r, "llama.embedding_length")) == (2, 64)
    assert (_field(r, "llama.attention.head_count"),
            _field(r, "llama.attention.head_count_kv")) == (4, 2)
    assert _field(r, "llama.rope.freq_base") == pytest.approx(100000.0)  # from rope_parameters
    tokens = _field(r, "tokenizer.ggml.tokens")
    assert _field(r, "tokenizer.ggml.model") == "llama" and len(tokens) == 1024
    assert tokens[0] == "<unk>" and tokens[2] == "</s>"
    names = {t.name for t in r.tensors}
    assert "output.weight" not in names  # tied to token_embd
    assert len(names) == 2 + 9 * 2  # token_embd, output_norm, 9 per block
    hf = load_file(str(folder / "model.safetensors"))
    by_name = {t.name: np.asarray(t.data) for t in r.tensors}
    np.testing.assert_array_equal(by_name["token_embd.weight"], hf["model.embed_tokens.weight"])
    # Q rows: llama.cpp's interleaved RoPE pairs; undo it per head and get transformers' rows
    q = by_name["blk.1.attn_q.weight"].reshape(4, 8, 2, 64).swapaxes(1, 2).reshape(64, 64)
    np.testing.assert_array_equal(q, hf["model.layers.1.self_attn.q_proj.weight"])
    k = by_name["blk.0.attn_k.weight"].reshape(2, 8, 2, 64).swapaxes(1, 2).reshape(32, 64)
    np.testing.assert_array_equal(k, hf["model.layers.0.self_attn.k_proj.weight"])


def test_llama3_rope_scaling_becomes_a_rope_freqs_tensor(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "llama3"
    shutil.copytree(folder, copy)
    config = json.loads((copy / "config.json").read_text())
    config["rope_parameters"] = {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0,
                                 "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                 "original_max_position_embeddings": 256}
    (copy / "config.json").write_text(json.dumps(config))
    write_gguf_f32(copy, tmp_path / "l3.gguf", "l3")
    r = gguf.GGUFReader(str(tmp_path / "l3.gguf"))
    freqs = next(np.asarray(t.data) for t in r.tensors if t.name == "rope_freqs.weight")
    assert freqs.shape == (8,)  # head_dim / 2
    assert freqs[0] == 1.0 and freqs[-1] == 32.0  # high frequencies kept, low ones scaled
    assert np.all(np.diff(freqs) >= 0)


def test_a_folder_the_writer_cannot_handle_names_the_converter(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen2"}))
    with pytest.raises(ModelError) as err:
        write_gguf_f32(tmp_path, tmp_path / "x.gguf", "x")
    assert "model_type llama only" in err.value.message
    assert "convert_hf_to_gguf.py" in err.value.hint
