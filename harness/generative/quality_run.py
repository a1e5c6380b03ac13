"""The `generative.quality` step of a run: the engine's session against the transformers
reference in float32, on seeded prompts (and a text for perplexity), for the record."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.errors import ConfigError, HarnessError
from harness.generative.config import GenerativeConfig
from harness.generative.engine import GenerativeSession, create_engine
from harness.generative.quality import token_quality

REFERENCE = "transformers"


def measure_quality(cfg: GenerativeConfig, session: GenerativeSession,
                    device: str) -> dict[str, Any]:
    """Return the quality section: agreement, KL, perplexity and what they were judged against;
    a failure is recorded in it (`error`) so the measured performance is never lost."""
    q = cfg.quality
    out: dict[str, Any] = {"reference": f"{REFERENCE} float32", "prompts": q.prompts,
                           "tokens_per_prompt": q.tokens, "seed": q.seed,
                           "weights": "local folder" if cfg.model.path else "random"}
    try:
        reference = create_engine(REFERENCE).load(replace(cfg.model, dtype="float32"), device)
    except HarnessError as exc:
        return {**out, "error": f"the reference could not be loaded: {exc}"}
    try:
        vocab = min(v for v in (session.vocab_size, reference.vocab_size) if v) or 2
        rng = np.random.default_rng(q.seed)
        prompts = rng.integers(3, max(vocab, 4), size=(q.prompts, q.tokens)).tolist()
        text_ids = _text_ids(q.text_file, reference) if q.text_file else None
        out.update(token_quality(reference, session, prompts, text_ids))
        if not text_ids:
            out["perplexity_note"] = ("no generative.quality.text_file given" if cfg.model.path
                                      else "random weights: perplexity means nothing")
    except HarnessError as exc:
        out["error"] = str(exc)
    finally:
        reference.close()
    return out


def _text_ids(path: str, reference: GenerativeSession) -> list[int]:
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"generative.quality.text_file={path} does not exist.",
                          "Give a UTF-8 text file for perplexity, or leave it unset.")
    return reference.tokenize(file.read_text(encoding="utf-8"))[:1024]
