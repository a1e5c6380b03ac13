"""Requests: fixed-length prompts (seeded token ids or a tokenised text file), checked against
the model's context before any work."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.core.errors import ConfigError
from harness.generative.config import PromptConfig
from harness.generative.engine import GenerativeSession


def check_context(cfg: PromptConfig, context_tokens: int) -> None:
    """Raise ConfigError when prompt + output exceed the model's context (tokens)."""
    need = cfg.input_tokens + cfg.output_tokens
    if context_tokens and need > context_tokens:
        raise ConfigError(f"A prompt of {cfg.input_tokens} tokens plus {cfg.output_tokens} "
                          f"output tokens ({need}) is longer than the model's context of "
                          f"{context_tokens} tokens.",
                          "Lower generative.prompts.input_tokens or output_tokens.")


def build_prompts(cfg: PromptConfig, session: GenerativeSession, count: int) -> list[list[int]]:
    """Return `count` prompts of exactly cfg.input_tokens token ids each."""
    check_context(cfg, session.context_tokens)
    if cfg.file:
        return _from_file(cfg, session, count)
    rng = np.random.default_rng(cfg.seed)
    high = max(session.vocab_size, 2)
    return rng.integers(1, high, size=(count, cfg.input_tokens)).tolist()


def _from_file(cfg: PromptConfig, session: GenerativeSession, count: int) -> list[list[int]]:
    path = Path(cfg.file or "")
    if not path.is_file():
        raise ConfigError(f"generative.prompts.file={path} does not exist.",
                          "Give a UTF-8 text file; it is tokenised and cut into prompts.")
    ids = session.tokenize(path.read_text(encoding="utf-8"))
    if len(ids) < cfg.input_tokens:
        raise ConfigError(f"{path} holds {len(ids)} tokens, fewer than one prompt of "
                          f"{cfg.input_tokens}.", "Use a longer text or fewer input tokens.")
    windows = max(len(ids) // cfg.input_tokens, 1)
    return [ids[(i % windows) * cfg.input_tokens:][:cfg.input_tokens] for i in range(count)]
