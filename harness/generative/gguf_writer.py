"""Write a model folder (save_pretrained: config.json, safetensors, SentencePiece tokenizer.model)
as a float32 GGUF file for llama.cpp's `llama` architecture, with the `gguf` package.

llama.cpp's own converter (convert_hf_to_gguf.py) is not part of any installed package (it ships
only in llama.cpp's source tree), so this is the minimal writer for what the harness produces:
model_type llama (llama3 RoPE scaling included), a SentencePiece tokenizer. It does what that
converter does for such a model: the same metadata keys, the same vocabulary (padded to
vocab_size with [PADn] tokens), Q and K rows permuted from transformers' rotate-half layout to
llama.cpp's, the output matrix omitted when it is tied to the embedding.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.errors import ModelError

#: transformers parameter suffix -> GGUF tensor name (per block: "blk.{i}." + name).
BLOCK_TENSORS = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}
TOP_TENSORS = {"model.embed_tokens.weight": "token_embd.weight",
               "model.norm.weight": "output_norm.weight", "lm_head.weight": "output.weight"}
CONVERTER_HINT = ("Convert the folder with llama.cpp's convert_hf_to_gguf.py (in llama.cpp's "
                  "source tree, also in the llama-cpp-python sdist under vendor/llama.cpp) and "
                  "point generative.model.path at the .gguf file.")


def write_gguf_f32(folder: Path, out_path: Path, name: str) -> None:
    """Write folder's llama model and SentencePiece tokenizer to out_path as float32 GGUF."""
    import gguf

    hp = _hparams(folder)
    writer = gguf.GGUFWriter(str(out_path), "llama")
    _write_metadata(writer, hp, name)
    _write_vocab(writer, folder, int(hp["vocab_size"]))
    tensors = _load_tensors(folder)
    for hf_name, array in tensors.items():
        gguf_name = _gguf_name(hf_name)
        if gguf_name is None:
            continue
        if gguf_name == "output.weight" and hp.get("tie_word_embeddings", True):
            continue  # llama.cpp reuses token_embd for a tied output matrix
        heads = int(hp["num_attention_heads"])
        if gguf_name.endswith("attn_q.weight"):
            array = _permute(array, heads)
        elif gguf_name.endswith("attn_k.weight"):
            array = _permute(array, int(hp.get("num_key_value_heads") or heads))
        writer.add_tensor(gguf_name, np.ascontiguousarray(array, dtype=np.float32))
    if factors := _llama3_rope_factors(hp):
        writer.add_tensor("rope_freqs.weight", np.asarray(factors, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _hparams(folder: Path) -> dict[str, Any]:
    hp = json.loads((folder / "config.json").read_text())
    if hp.get("model_type") != "llama":
        raise ModelError(f"{folder} holds a '{hp.get('model_type')}' model; the harness's own "
                         "GGUF writer handles model_type llama only.", CONVERTER_HINT)
    if hp.get("attention_bias") or hp.get("mlp_bias"):
        raise ModelError(f"{folder}: attention/MLP biases are not handled by the harness's GGUF "
                         "writer.", CONVERTER_HINT)
    # transformers 5 writes `rope_parameters` (rope_theta inside), older ones `rope_scaling`
    rope = dict(hp.get("rope_parameters") or hp.get("rope_scaling") or {})
    rope.setdefault("rope_theta", hp.get("rope_theta", 10000.0))
    rope["rope_type"] = rope.get("rope_type", rope.get("type", "default"))
    if rope["rope_type"] not in ("default", "llama3"):
        raise ModelError(f"{folder}: RoPE {rope} is not handled by the harness's GGUF writer "
                         "(plain RoPE and llama3 scaling only).", CONVERTER_HINT)
    hp["rope"] = rope
    if not (folder / "tokenizer.model").is_file():
        raise ModelError(f"{folder} has no SentencePiece tokenizer.model; the harness's GGUF "
                         "writer reads only that tokenizer format.", CONVERTER_HINT)
    return hp


def _write_metadata(writer: Any, hp: dict[str, Any], name: str) -> None:
    import gguf

    heads = int(hp["num_attention_heads"])
    head_dim = int(hp.get("head_dim") or hp["hidden_size"] // heads)
    writer.add_name(name)
    writer.add_context_length(int(hp.get("max_position_embeddings", 2048)))
    writer.add_embedding_length(int(hp["hidden_size"]))
    writer.add_block_count(int(hp["num_hidden_layers"]))
    writer.add_feed_forward_length(int(hp["intermediate_size"]))
    writer.add_head_count(heads)
    writer.add_head_count_kv(int(hp.get("num_key_value_heads") or heads))
    writer.add_rope_freq_base(float(hp["rope"]["rope_theta"]))
    writer.add_layer_norm_rms_eps(float(hp.get("rms_norm_eps", 1e-6)))
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(int(hp["vocab_size"]))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)


def _write_vocab(writer: Any, folder: Path, vocab_size: int) -> None:
    """The SentencePiece vocabulary as llama.cpp's converter writes it (model 'llama')."""
    import gguf
    from sentencepiece import SentencePieceProcessor

    sp = SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))
    if sp.vocab_size() > vocab_size:
        raise ModelError(f"{folder}: the tokenizer has {sp.vocab_size()} tokens but the model's "
                         f"vocab_size is {vocab_size}.", "Use a tokenizer that fits the model.")
    tokens = [f"[PAD{i}]".encode() for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    types = [int(gguf.TokenType.UNUSED)] * vocab_size
    for i in range(sp.vocab_size()):
        tokens[i], scores[i] = sp.id_to_piece(i).encode("utf-8"), float(sp.get_score(i))
        types[i] = int(gguf.TokenType.UNKNOWN if sp.is_unknown(i) else
                       gguf.TokenType.CONTROL if sp.is_control(i) else
                       gguf.TokenType.UNUSED if sp.is_unused(i) else
                       gguf.TokenType.BYTE if sp.is_byte(i) else gguf.TokenType.NORMAL)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    gguf.SpecialVocab(str(folder), n_vocab=vocab_size).add_to_gguf(writer)


def _load_tensors(folder: Path) -> dict[str, np.ndarray]:
    from safetensors import safe_open

    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise ModelError(f"{folder} has no .safetensors weights.",
                         "Save the model with save_pretrained(DIR, safe_serialization=True).")
    out: dict[str, np.ndarray] = {}
    for path in files:
        with safe_open(str(path), framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 (safe_open is not a mapping)
                out[key] = f.get_tensor(key).float().numpy()
    return out


def _gguf_name(hf_name: str) -> str | None:
    if hf_name in TOP_TENSORS:
        return TOP_TENSORS[hf_name]
    parts = hf_name.split(".", 3)  # model.layers.{i}.{suffix}
    if len(parts) == 4 and parts[:2] == ["model", "layers"] and parts[3] in BLOCK_TENSORS:
        return f"blk.{int(parts[2])}.{BLOCK_TENSORS[parts[3]]}"
    if hf_name.endswith("rotary_emb.inv_freq"):
        return None
    raise ModelError(f"Unexpected tensor '{hf_name}' for a llama model.", CONVERTER_HINT)


def _permute(weights: np.ndarray, n_head: int) -> np.ndarray:
    """transformers' rotate-half Q/K row order -> llama.cpp's interleaved pairs (per head)."""
    rows = weights.shape[0]
    return (weights.reshape(n_head, 2, rows // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def _llama3_rope_factors(hp: dict[str, Any]) -> list[float]:
    """Per-frequency RoPE factors of llama3 scaling (as the converter's rope_freqs tensor)."""
    scaling = hp["rope"]
    if scaling["rope_type"] != "llama3":
        return []
    base = float(scaling["rope_theta"])
    dim = int(hp.get("head_dim") or hp["hidden_size"] // hp["num_attention_heads"])
    factor = float(scaling.get("factor", 8.0))
    low, high = float(scaling.get("low_freq_factor", 1.0)), float(scaling.get("high_freq_factor",
                                                                              4.0))
    old_ctx = float(scaling.get("original_max_position_embeddings", 8192))
    factors = []
    for i in range(0, dim, 2):
        wavelen = 2 * math.pi * base ** (i / dim)
        if wavelen < old_ctx / high:
            factors.append(1.0)
        elif wavelen > old_ctx / low:
            factors.append(factor)
        else:
            smooth = (old_ctx / wavelen - low) / (high - low)
            factors.append(1.0 / ((1 - smooth) / factor + smooth))
    return factors
