"""The accuracy cost of a quantised generative model, judged against its reference on fixed
prompts: next-token agreement, KL divergence of the next-token distributions, perplexity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.generative.engine import GenerativeSession


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Return log-probabilities over the last axis, computed in float64."""
    x = np.asarray(logits, dtype=np.float64)
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def compare_logits(reference: np.ndarray, candidate: np.ndarray) -> dict[str, float]:
    """Return agreement (argmax equal, fraction) and KL(reference || candidate) in nats per
    position (mean, max) for two [positions, vocab] logit arrays of the same prompt."""
    ref, cand = np.asarray(reference), np.asarray(candidate)
    vocab = min(ref.shape[-1], cand.shape[-1])  # engines may pad the vocabulary
    ref, cand = ref[..., :vocab], cand[..., :vocab]
    if ref.shape != cand.shape:
        raise ValueError(f"logit shapes differ: {ref.shape} vs {cand.shape}")
    lp, lq = log_softmax(ref), log_softmax(cand)
    kl = (np.exp(lp) * (lp - lq)).sum(axis=-1)
    agree = ref.argmax(axis=-1) == cand.argmax(axis=-1)
    return {"agreement": float(agree.mean()), "kl_mean_nats": float(kl.mean()),
            "kl_max_nats": float(kl.max()), "positions": int(agree.size)}


def perplexity(logits: np.ndarray, ids: Sequence[int]) -> float:
    """Return exp(mean negative log-likelihood) of ids[1:] under logits[:-1] (teacher forced)."""
    lp = log_softmax(np.asarray(logits)[:-1])
    nll = -lp[np.arange(len(ids) - 1), np.asarray(ids[1:])]
    return float(np.exp(nll.mean()))


def token_quality(reference: GenerativeSession, candidate: GenerativeSession,
                  prompts: Sequence[Sequence[int]], text_ids: Sequence[int] | None = None
                  ) -> dict[str, Any]:
    """Return agreement and KL pooled over prompts, and perplexity of both on text_ids (real
    weights and a real text only; None otherwise)."""
    per_prompt = [compare_logits(reference.logits(p), candidate.logits(p)) for p in prompts]
    weights = np.array([r["positions"] for r in per_prompt], dtype=float)
    out: dict[str, Any] = {
        "prompts": len(per_prompt), "positions": int(weights.sum()),
        "agreement": float(np.average([r["agreement"] for r in per_prompt], weights=weights)),
        "kl_mean_nats": float(np.average([r["kl_mean_nats"] for r in per_prompt],
                                         weights=weights)),
        "kl_max_nats": float(max(r["kl_max_nats"] for r in per_prompt)),
        "perplexity_reference": None, "perplexity_candidate": None}
    if text_ids:
        out["perplexity_reference"] = perplexity(reference.logits(text_ids), text_ids)
        out["perplexity_candidate"] = perplexity(candidate.logits(text_ids), text_ids)
    return out
