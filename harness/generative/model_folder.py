"""A model folder every engine can read: config, safetensors weights and a tokenizer.

Engines other than transformers convert from a save_pretrained() folder (onnxruntime-genai's
builder, OpenVINO's converter, llama.cpp's GGUF converter, a local OpenAI-compatible server). A
user's folder (`model.path`) is used as it is. A published shape with random weights is written
once into the model cache, with a SentencePiece tokenizer trained here, deterministically, on the
Python documentation text that ships with the interpreter (`pydoc_data`): a random-weight model
has no tokenizer of its own, and every converter and server needs one. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from harness.generative.config import GenModelConfig
from harness.generative.hf_model import build_model, check_folder

#: SentencePiece vocabulary of the synthetic tokenizer (capped by the model's vocab_size).
TOKENIZER_VOCAB = 8000
TOKENIZER_NOTE = ("synthetic SentencePiece BPE tokenizer trained here on Python's bundled "
                  "documentation text (pydoc_data); the weights are random, so token ids carry "
                  "no meaning")


def model_folder(cfg: GenModelConfig, cache_dir: str | Path = "models/.cache") -> Path:
    """Return a folder with cfg's model and tokenizer: model.path, or one written to cache_dir."""
    if cfg.path:
        return check_folder(cfg.path)
    folder = Path(cache_dir) / "generative" / f"{cfg.name}-{_config_hash(cfg)}"
    if (folder / ".complete").is_file():
        return folder
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model = build_model(cfg)
    model.save_pretrained(str(tmp), safe_serialization=True)
    write_tokenizer(tmp, min(TOKENIZER_VOCAB, int(model.config.vocab_size)))
    (tmp / "harness_model.json").write_text(json.dumps(
        {"name": cfg.name, "weights": "random", "seed": cfg.seed, "source_note": cfg.source_note,
         "tokenizer": TOKENIZER_NOTE}, indent=1))
    (tmp / ".complete").touch()
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def write_tokenizer(folder: Path, vocab_size: int) -> None:
    """Train the synthetic tokenizer into folder: tokenizer.model (SentencePiece BPE, which
    llama.cpp's converter reads) and the same vocabulary as a Llama-style tokenizer.json."""
    import sentencepiece as spm

    text = folder / "tokenizer_corpus.txt"
    text.write_text(_corpus(), encoding="utf-8")
    prefix = folder / "tokenizer"
    spm.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(prefix), vocab_size=vocab_size, model_type="bpe",
        byte_fallback=True, num_threads=1, shuffle_input_sentence=False, input_sentence_size=0,
        character_coverage=1.0, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=True, unk_id=0, bos_id=1, eos_id=2,
        pad_id=-1, minloglevel=2)
    text.unlink()
    (folder / "tokenizer.vocab").unlink(missing_ok=True)
    _fast_tokenizer(spm.SentencePieceProcessor(model_file=str(prefix) + ".model"), folder)


def _fast_tokenizer(sp: Any, folder: Path) -> None:
    """Write tokenizer.json and tokenizer_config.json: sp's BPE as a Llama-style fast tokenizer
    (merges recovered from the vocabulary, as transformers' SentencePieceExtractor does)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    merges = []
    for piece, pid in sorted(vocab.items(), key=lambda kv: kv[1]):
        if sp.is_control(pid) or sp.is_byte(pid) or sp.is_unknown(pid):
            continue
        local = [(piece[:k], piece[k:]) for k in range(1, len(piece))
                 if piece[:k] in vocab and piece[k:] in vocab]
        merges.extend(sorted(local, key=lambda m: (vocab[m[0]], vocab[m[1]])))
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True,
                               byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"),
                                           normalizers.Replace(" ", "\u2581")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([])
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(),
                                     decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                   unk_token="<unk>", model_max_length=1 << 30)
    fast.save_pretrained(str(folder))
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config.update(tokenizer_class="LlamaTokenizer", add_bos_token=False, add_eos_token=False,
                  legacy=False)
    config_path.write_text(json.dumps(config, indent=1))


def _corpus() -> str:
    from pydoc_data.topics import topics

    return "\n".join(topics[key] for key in sorted(topics))


def _config_hash(cfg: GenModelConfig) -> str:
    key = json.dumps({"type": cfg.model_type, "config": dict(cfg.config), "dtype": cfg.dtype,
                      "seed": cfg.seed, "tokenizer": [TOKENIZER_VOCAB, 2]}, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:12]
