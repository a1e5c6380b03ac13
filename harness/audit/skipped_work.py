"""Skipped work: outputs that do not depend on the input, or repeat across distinct inputs.

A backend that skips the computation returns outputs that vary less across inputs than the
FP32 model's do (the input-dependence check of harness/accuracy/fidelity.py, which caught
the random-weight zoo's constant outputs), or returns for one input the very output it gave
another. Judged on the accuracy run (every distinct input once) and on the outputs logged
during the timed run; the worse of the two is the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.audit.verdict import AuditResult, Verdict

NAME = "skipped_work"


def spread(rows: np.ndarray) -> float:
    """Return the mean across-input standard deviation of `rows` relative to their mean size."""
    scale = float(np.mean(np.abs(rows)))
    return float(np.mean(rows.std(axis=0)) / scale) if scale > 0 else 0.0


def repeat_fraction(rows: np.ndarray, reference: np.ndarray) -> float:
    """Return the share of rows bit-identical to an earlier row whose reference differs."""
    seen: dict[bytes, int] = {}
    repeats = 0
    for i, row in enumerate(rows):
        j = seen.setdefault(row.tobytes(), i)
        if j != i and not np.array_equal(reference[i], reference[j]):
            repeats += 1
    return repeats / len(rows)


def judge_outputs(label: str, rows: np.ndarray, reference: np.ndarray, min_spread_ratio: float,
                  max_repeat_fraction: float) -> AuditResult:
    """Return the verdict on one set of outputs (one flat row per distinct input) against the
    FP32 reference's outputs for the same inputs."""
    ref_spread, got_spread = spread(reference), spread(rows)
    repeats = repeat_fraction(rows, reference)
    figures = {f"{label}_inputs": len(rows), f"{label}_spread": got_spread,
               f"{label}_reference_spread": ref_spread, f"{label}_repeat_fraction": repeats}
    if ref_spread == 0:
        return AuditResult(NAME, Verdict.INCONCLUSIVE, f"{label}: the FP32 model's own outputs "
                           "do not vary across these inputs", figures)
    ratio = got_spread / ref_spread
    figures[f"{label}_spread_ratio"] = ratio
    if ratio < min_spread_ratio:
        return AuditResult(NAME, Verdict.FAIL, f"{label}: outputs vary {ratio:.3g}x as much "
                           f"across inputs as the FP32 model's (< {min_spread_ratio}): they do "
                           "not depend on the input", figures)
    if repeats > max_repeat_fraction:
        return AuditResult(NAME, Verdict.FAIL, f"{label}: {repeats:.0%} of distinct inputs got "
                           "an output identical to another input's", figures)
    return AuditResult(NAME, Verdict.PASS, f"{label}: outputs vary {ratio:.3g}x the FP32 "
                       f"model's across inputs, {repeats:.0%} repeated", figures)


def flat_rows(outputs: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Return one float64 row per query: all its outputs flattened and joined."""
    return np.stack([np.concatenate([np.asarray(o, dtype=np.float64).ravel() for o in outs])
                     for outs in outputs])


def judge_skipped_work(parts: Sequence[AuditResult]) -> AuditResult:
    """Return the worst of the per-set verdicts (FAIL > INCONCLUSIVE > PASS), figures merged."""
    order = {Verdict.FAIL: 0, Verdict.INCONCLUSIVE: 1, Verdict.PASS: 2}
    worst = min(parts, key=lambda r: order[r.verdict])
    figures = {k: v for part in parts for k, v in part.figures.items()}
    reason = "; ".join(p.reason for p in parts) if worst.verdict is Verdict.PASS else worst.reason
    return AuditResult(NAME, worst.verdict, reason, figures)
