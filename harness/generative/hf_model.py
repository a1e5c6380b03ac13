"""Build a transformers causal LM: a published shape with seeded random weights, or a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.core.errors import ModelError
from harness.generative.config import GenModelConfig

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "vocab.json")


def check_folder(path: str) -> Path:
    """Return the model folder; ModelError saying what is missing (config, weights, tokenizer)."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ModelError(f"model.path={path} is not a folder.",
                         "Point model.path at a folder written by save_pretrained().")
    if not (folder / "config.json").is_file():
        raise ModelError(f"{folder} has no config.json, so its architecture is unknown.",
                         "Save the model with save_pretrained() (it writes config.json).")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ModelError(f"{folder} has no tokenizer ({', '.join(TOKENIZER_FILES)}).",
                         "Save the tokenizer beside the model (tokenizer.save_pretrained(DIR)); "
                         "prompts and their token counts come from it.")
    return folder


def load_tokenizer(path: str) -> Any:
    """Return the folder's tokenizer (local files only)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(check_folder(path)), local_files_only=True)


def build_model(cfg: GenModelConfig, device: str = "cpu") -> Any:
    """Return the model in eval mode on `device`, in cfg.dtype."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    dtype = getattr(torch, cfg.dtype)
    if cfg.path:
        model = AutoModelForCausalLM.from_pretrained(
            str(check_folder(cfg.path)), local_files_only=True, trust_remote_code=False,
            dtype=dtype)
    elif cfg.config:
        hf_config = AutoConfig.for_model(cfg.model_type, **dict(cfg.config))
        torch.manual_seed(cfg.seed)
        model = AutoModelForCausalLM.from_config(hf_config, dtype=dtype)
    else:
        raise ModelError(f"generative model '{cfg.name}' has neither a config nor a path.",
                         "Use a shipped shape (model=smollm2_135m) or model=llm_folder "
                         "model.path=DIR.")
    model.generation_config.eos_token_id = None  # EOS ignored: the output length is fixed
    return model.to(device).eval()
