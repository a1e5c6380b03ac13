"""Fidelity metrics: how far a backend's outputs are from the FP32 reference (no labels needed)."""

from __future__ import annotations

import numpy as np


def output_fidelity(got: np.ndarray, ref: np.ndarray, classifier: bool) -> dict[str, float]:
    """Return max/mean abs error, cosine similarity, SNR in dB and (classifiers) top-k agreement."""
    got64 = got.astype(np.float64).reshape(len(got), -1)
    ref64 = ref.astype(np.float64).reshape(len(ref), -1)
    err = got64 - ref64
    denom = np.linalg.norm(got64, axis=1) * np.linalg.norm(ref64, axis=1)
    cos = np.where(denom > 0, np.sum(got64 * ref64, axis=1) / np.maximum(denom, 1e-300), 1.0)
    noise = float(np.sum(err**2))
    signal = float(np.sum(ref64**2))
    metrics = {
        "max_abs_error": float(np.max(np.abs(err))),
        "mean_abs_error": float(np.mean(np.abs(err))),
        "cosine": float(np.mean(cos)),
        "snr_db": float(10 * np.log10(signal / noise)) if noise > 0 else float("inf"),
    }
    if classifier:
        metrics["top1_agreement"] = float(np.mean(got64.argmax(1) == ref64.argmax(1)))
        k = min(5, ref64.shape[1])
        top_ref = np.argsort(-ref64, axis=1)[:, :k]
        metrics[f"top{k}_agreement"] = float(
            np.mean([got64[i].argmax() in top_ref[i] for i in range(len(got64))]))
    return metrics


def top1_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Return the fraction of rows whose arg-max equals the label."""
    return float(np.mean(logits.argmax(axis=1) == labels))
