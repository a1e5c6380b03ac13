"""Fidelity metrics: how far a backend's outputs are from the FP32 reference (no labels needed).

Non-finite outputs (NaN, +-inf) make every distance undefined, so the metrics are None and
`nonfinite_elements` counts them; the gate (gate.py) fails any run with such a count. A row
holding a non-finite score never agrees with the reference (top-k) or matches a label (top-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def nonfinite_count(values: np.ndarray) -> int:
    """Return how many elements of `values` are NaN or +-inf (0 for integer outputs)."""
    arr = np.asarray(values)
    return int(arr.size - np.count_nonzero(np.isfinite(arr))) if arr.dtype.kind in "fc" else 0


def _finite_rows(values: np.ndarray) -> np.ndarray:
    return np.isfinite(values).all(axis=1)


def _top_k(got64: np.ndarray, ref64: np.ndarray) -> dict[str, float]:
    ok = _finite_rows(got64) & _finite_rows(ref64)
    k = min(5, ref64.shape[1])
    top_ref = np.argsort(-ref64, axis=1)[:, :k]
    return {"top1_agreement": float(np.mean(ok & (got64.argmax(1) == ref64.argmax(1)))),
            f"top{k}_agreement": float(np.mean(
                [bool(ok[i]) and got64[i].argmax() in top_ref[i] for i in range(len(got64))]))}


def output_fidelity(got: np.ndarray, ref: np.ndarray, classifier: bool) -> dict[str, Any]:
    """Return max/mean abs error, cosine similarity, SNR in dB and (classifiers) top-k agreement.

    With any NaN/inf in either output the distances are None and `nonfinite_elements` (got)
    and `nonfinite_reference_elements` (FP32) say how many elements were bad.
    """
    got64 = got.astype(np.float64).reshape(len(got), -1)
    ref64 = ref.astype(np.float64).reshape(len(ref), -1)
    bad, bad_ref = nonfinite_count(got64), nonfinite_count(ref64)
    counts = {"elements": int(got64.size), "nonfinite_elements": bad,
              "nonfinite_reference_elements": bad_ref}
    if bad or bad_ref:
        undefined = dict.fromkeys(("max_abs_error", "mean_abs_error", "cosine", "min_cosine",
                                   "snr_db", "reference_spread", "centered_cosine"))
        return {**undefined, **counts, **(_top_k(got64, ref64) if classifier else {})}
    err = got64 - ref64
    denom = np.linalg.norm(got64, axis=1) * np.linalg.norm(ref64, axis=1)
    cos = np.where(denom > 0, np.sum(got64 * ref64, axis=1) / np.maximum(denom, 1e-300), 1.0)
    noise = float(np.sum(err**2))
    signal = float(np.sum(ref64**2))
    metrics = {
        "max_abs_error": float(np.max(np.abs(err))),
        "mean_abs_error": float(np.mean(np.abs(err))),
        "cosine": float(np.mean(cos)),
        "min_cosine": float(np.min(cos)),
        "snr_db": float(10 * np.log10(signal / noise)) if noise > 0 else float("inf"),
        **input_dependence(got64, ref64),
        **counts,
    }
    return {**metrics, **(_top_k(got64, ref64) if classifier else {})}


def input_dependence(got: np.ndarray, ref: np.ndarray) -> dict[str, float | None]:
    """Return reference_spread (how much the FP32 output varies across inputs, relative to its
    size) and centered_cosine (cosine of both outputs' deviations from the FP32 mean output).

    A model whose output barely depends on its input (e.g. random weights on noise) scores
    cosine ~1 whatever the quantiser does; centered_cosine still tells good from bad (None
    when the FP32 output does not vary at all).
    """
    mean_ref = ref.mean(axis=0, keepdims=True)
    dev_got, dev_ref = (got - mean_ref).ravel(), (ref - mean_ref).ravel()
    norm = float(np.linalg.norm(dev_got) * np.linalg.norm(dev_ref))
    scale = float(np.mean(np.abs(ref)))
    return {
        "reference_spread": float(np.mean(ref.std(axis=0)) / scale) if scale > 0 else 0.0,
        "centered_cosine": float(dev_got @ dev_ref / norm) if norm > 0 else None,
    }


def is_logits(output: np.ndarray, classifier: bool) -> bool:
    """Return True when an output looks like class scores: a classifier's (N, C>1) output."""
    return classifier and output.ndim == 2 and output.shape[1] > 1


def all_outputs_fidelity(
    got: Sequence[np.ndarray], ref: Sequence[np.ndarray], classifier: bool
) -> list[dict[str, Any]]:
    """Return one metrics dict per output (index, shape, metrics); raise if counts differ."""
    if len(got) != len(ref):
        raise ValueError(f"the backend returned {len(got)} outputs, the reference {len(ref)}")
    return [
        {"output": i, "shape": list(r.shape[1:]), **output_fidelity(g, r, is_logits(r, classifier))}
        for i, (g, r) in enumerate(zip(got, ref, strict=True))
    ]


def top1_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Return the fraction of rows whose arg-max equals the label (rows with NaN/inf: wrong)."""
    rows = np.asarray(logits).reshape(len(logits), -1)
    finite = np.isfinite(rows).all(axis=1) if rows.dtype.kind in "fc" else True
    return float(np.mean(finite & (rows.argmax(axis=1) == labels)))
