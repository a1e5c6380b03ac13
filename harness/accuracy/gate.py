"""MLPerf-style accuracy gate: quantised quality must reach `target` × FP32 quality."""

from __future__ import annotations

from typing import Any

from harness.core.errors import ConfigError

#: Below this relative spread of the FP32 outputs across inputs, fidelity gates are flagged weak.
DEGENERATE_SPREAD = 1e-2


def nonfinite_reason(accuracy: dict[str, Any]) -> str | None:
    """Return why NaN/inf outputs fail the gate (counts per output and task), or None."""
    parts = []
    for out in accuracy.get("fidelity_outputs") or [accuracy["fidelity"]]:
        if out.get("nonfinite_elements"):
            parts.append(f"output {out.get('output', 0)}: {out['nonfinite_elements']} of "
                         f"{out.get('elements', '?')} elements")
        if out.get("nonfinite_reference_elements"):
            parts.append(f"FP32 reference output {out.get('output', 0)}: "
                         f"{out['nonfinite_reference_elements']} elements")
    if (accuracy.get("task") or {}).get("nonfinite_elements"):
        parts.append(f"task test set: {accuracy['task']['nonfinite_elements']} elements")
    if not parts:
        return None
    return f"non-finite outputs (NaN or inf): {'; '.join(parts)}"


def accuracy_gate(accuracy: dict[str, Any], target: float) -> dict[str, Any]:
    """Return {target, metric, basis, value, reference, ratio, passed} for a run's accuracy.

    Any NaN/inf output fails the gate whatever the metric, with `reason` giving the counts.
    """
    if not 0.0 < target <= 1.0:
        raise ConfigError(f"model.accuracy_target={target} is not a fraction of FP32 quality.",
                          "Use a value in (0, 1], e.g. 0.99 (MLPerf) or 0.999 (high accuracy).")
    task = accuracy.get("task")
    fidelity = accuracy["fidelity"]
    if task is not None:
        value, reference = task["value"], task["fp32_reference"]
        metric, basis = f"{task['metric']} ({task['dataset']})", "task metric vs FP32 task metric"
    elif "top1_agreement" in fidelity:
        value, reference = fidelity["top1_agreement"], 1.0
        metric, basis = "top1_agreement", "no data set: fidelity top-1 agreement with FP32"
    else:
        value, reference = fidelity["cosine"], 1.0
        metric, basis = "cosine", "no data set, not a classifier: fidelity cosine vs FP32"
    bad = nonfinite_reason(accuracy)
    ratio = value / reference if value is not None and reference > 0 else 0.0
    gate = {"target": target, "metric": metric, "basis": basis, "value": value,
            "reference": reference, "ratio": ratio, "passed": bool(ratio >= target and not bad)}
    if bad:
        gate["reason"] = bad
        gate["nonfinite_elements"] = (sum(o.get("nonfinite_elements", 0) for o in
                                          accuracy.get("fidelity_outputs") or [fidelity])
                                      + (task or {}).get("nonfinite_elements", 0))
    spread = fidelity.get("reference_spread")
    if task is None and spread is not None and spread < DEGENERATE_SPREAD:
        centered = fidelity.get("centered_cosine")
        gate["warning"] = (f"the FP32 output hardly depends on the input (reference_spread "
                           f"{fidelity['reference_spread']:.2g}), so this gate is weak; "
                           f"fidelity.centered_cosine is "
                           f"{'undefined' if centered is None else f'{centered:.4f}'}")
    return gate
