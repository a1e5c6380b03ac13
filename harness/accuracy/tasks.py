"""Task metrics on labelled data, one per `model.task`: top-1 for classifiers, character
accuracy for CTC text recognisers, accuracy at a threshold for binary detectors. Each returns
{metric, value, ...}; a higher value is better."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from harness.accuracy.fidelity import top1_accuracy

#: The CTC blank class (PaddleOCR, PyTorch's CTCLoss default): index 0 of the class axis.
CTC_BLANK = 0
#: A binary detector's output is a probability; at or above this it says "positive".
BINARY_THRESHOLD = 0.5


def ctc_greedy_decode(scores: np.ndarray, blank: int = CTC_BLANK) -> list[list[int]]:
    """Return each row's greedy CTC path: arg-max class per step, repeats merged, blanks dropped.

    `scores`: (N, T, C) per-step class scores (probabilities or logits). A row holding a NaN or
    inf decodes to nothing.
    """
    arr = np.asarray(scores)
    if arr.ndim != 3:
        raise ValueError(f"CTC scores must be (batch, steps, classes), not shape {arr.shape}")
    finite = (np.isfinite(arr).all(axis=(1, 2)) if arr.dtype.kind in "fc"
              else np.ones(len(arr), dtype=bool))
    paths = []
    for row, ok in zip(arr.argmax(axis=2), finite, strict=True):
        keep = np.ones(len(row), dtype=bool)
        keep[1:] = row[1:] != row[:-1]
        paths.append([int(c) for c in row[keep & (row != blank)]] if ok else [])
    return paths


def edit_distance(got: Sequence[int], want: Sequence[int]) -> int:
    """Return the Levenshtein distance (insertions, deletions, substitutions) between sequences."""
    prev = list(range(len(want) + 1))
    for i, g in enumerate(got, 1):
        cur = [i]
        for j, w in enumerate(want, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (g != w)))
        prev = cur
    return prev[-1]


def label_sequences(labels: np.ndarray) -> list[list[int]]:
    """Return each row of (N, L) labels without its padding (every negative entry)."""
    rows = np.asarray(labels).reshape(len(labels), -1)
    return [[int(c) for c in row if c >= 0] for row in rows]


def ctc_metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Return char_accuracy (1 - CER, floored at 0), cer, exact_match and the character count.

    CER = total edit distance of the greedy CTC decodes to the labels / total label characters;
    labels are (N, L) class indices padded with -1.
    """
    paths, wants = ctc_greedy_decode(scores), label_sequences(labels)
    if len(paths) != len(wants):
        raise ValueError(f"{len(paths)} output rows for {len(wants)} label rows")
    chars = sum(len(w) for w in wants)
    edits = sum(edit_distance(p, w) for p, w in zip(paths, wants, strict=True))
    cer = edits / chars if chars else 0.0
    return {"metric": "char_accuracy", "value": max(0.0, 1.0 - cer), "cer": cer,
            "exact_match": float(np.mean([p == w for p, w in zip(paths, wants, strict=True)])),
            "characters": chars}


def classification_metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Return top1: the fraction of rows whose arg-max is the label."""
    return {"metric": "top1", "value": top1_accuracy(scores, labels)}


def binary_metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Return accuracy of (probability >= 0.5) against 0/1 labels, balanced accuracy (the mean
    of the recalls of both classes), precision and recall; NaN/inf rows count as wrong."""
    probs = np.asarray(scores, dtype=np.float64).reshape(len(scores), -1)
    if probs.shape[1] != 1:
        raise ValueError(f"a binary task needs one probability per row, not {probs.shape[1:]}")
    finite = np.isfinite(probs[:, 0])
    truth = np.asarray(labels).reshape(-1).astype(bool)
    said = finite & (np.nan_to_num(probs[:, 0]) >= BINARY_THRESHOLD)
    right = finite & (said == truth)
    recalls = [float(np.mean(right[truth == c])) for c in (True, False) if np.any(truth == c)]
    return {"metric": "binary_accuracy", "value": float(np.mean(right)),
            "balanced_accuracy": float(np.mean(recalls)),
            "precision": float(np.mean(truth[said])) if said.any() else 0.0,
            "recall": float(np.mean(said[truth])) if truth.any() else 0.0,
            "positive_fraction": float(np.mean(truth)), "threshold": BINARY_THRESHOLD}


#: Keys of a metric's result that describe the data or the rule, not the model's outputs.
DATA_FACTS = frozenset({"characters", "threshold", "positive_fraction"})
#: model.task -> its metric over (first output, labels). Tasks not here have no task metric.
TASK_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], dict[str, Any]]] = {
    "classification": classification_metrics,
    "ctc": ctc_metrics,
    "binary": binary_metrics,
}
