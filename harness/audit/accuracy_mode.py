"""Accuracy in performance mode (after MLPerf TEST01): the outputs logged during the timed
run must match the accuracy run's outputs for the same inputs.

mlcommons/inference compliance/nvidia/TEST01/README.md: "The inference results in the
accuracy JSON file must match the inference results in the accuracy JSON generated in
accuracy mode", with non-determinism allowed when the quality of the results holds. Here
identical outputs pass outright; otherwise every logged output must be within the fidelity
tolerance of the accuracy run's output for that input: centered cosine (fidelity.py, the
metric that still separates right from wrong on models whose outputs barely vary) of at least
`min_centered_cosine`, and for classifiers the same top-1 class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.accuracy.fidelity import output_fidelity
from harness.audit.verdict import AuditResult, Verdict

NAME = "accuracy_in_performance"


def _rows(outputs: Sequence[np.ndarray]) -> np.ndarray:
    """Return one flat float64 row of all of a query's outputs."""
    return np.concatenate([np.asarray(o, dtype=np.float64).ravel() for o in outputs])


def judge_logged(accuracy_run: Sequence[Sequence[np.ndarray]],
                 logged: Sequence[tuple[int, Sequence[np.ndarray]]], classifier: bool,
                 min_centered_cosine: float) -> AuditResult:
    """Return the verdict on the logged (sample index, outputs) against the accuracy run's
    outputs (one list of outputs per sample index)."""
    if not logged:
        return AuditResult(NAME, Verdict.INCONCLUSIVE, "no timed query was logged (too few "
                           "queries, or batched queries the log cannot attribute)")
    got = np.stack([_rows(outs) for _, outs in logged])
    want = np.stack([_rows(accuracy_run[i]) for i, _ in logged])
    identical = int(sum(np.array_equal(g, w) for g, w in zip(got, want, strict=True)))
    figures = {"logged": len(logged), "identical": identical,
               "distinct_samples": len({i for i, _ in logged})}
    if identical == len(logged):
        return AuditResult(NAME, Verdict.PASS, f"all {len(logged)} logged outputs identical "
                           "to the accuracy run's", figures)
    everyone = np.stack([_rows(o) for o in accuracy_run])
    fid = output_fidelity(got, want, False)
    centered = _centered_cosines(got, want, everyone.mean(0))
    figures.update(cosine=fid["cosine"], max_abs_error=fid["max_abs_error"],
                   min_centered_cosine=float(centered.min()))
    bad = int(np.sum(centered < min_centered_cosine))
    if classifier:  # the first output holds the class scores
        classes = np.asarray(accuracy_run[0][0]).size
        mismatches = int(np.sum(got[:, :classes].argmax(1) != want[:, :classes].argmax(1)))
        figures["top1_mismatches"] = mismatches
        bad = max(bad, mismatches)
    if bad:
        return AuditResult(NAME, Verdict.FAIL, f"{bad} of {len(logged)} outputs logged during "
                           "the timed run differ from the accuracy run's for the same input "
                           f"(min centered cosine {centered.min():.4f} < "
                           f"{min_centered_cosine})", figures)
    return AuditResult(NAME, Verdict.PASS, f"{len(logged) - identical} of {len(logged)} logged "
                       "outputs differ slightly from the accuracy run's, all within tolerance "
                       f"(min centered cosine {centered.min():.6f})", figures)


def _centered_cosines(got: np.ndarray, want: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Return per row the cosine of got and want after removing the accuracy run's mean output
    (1.0 where both equal the mean)."""
    dg, dw = got - mean, want - mean
    norm = np.linalg.norm(dg, axis=1) * np.linalg.norm(dw, axis=1)
    same = np.all(np.isclose(got, want, rtol=1e-6, atol=1e-9), axis=1)
    cos = np.where(norm > 0, np.sum(dg * dw, axis=1) / np.maximum(norm, 1e-300), 0.0)
    return np.where(same, 1.0, cos)
