"""MLPerf-style accuracy gate: quantised quality must reach `target` × FP32 quality."""

from __future__ import annotations

from typing import Any

from harness.errors import ConfigError

#: Below this relative spread of the FP32 outputs across inputs, fidelity gates are flagged weak.
DEGENERATE_SPREAD = 1e-2


def accuracy_gate(accuracy: dict[str, Any], target: float) -> dict[str, Any]:
    """Return {target, metric, basis, value, reference, ratio, passed} for a run's accuracy."""
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
    ratio = value / reference if reference > 0 else 0.0
    gate = {"target": target, "metric": metric, "basis": basis, "value": value,
            "reference": reference, "ratio": ratio, "passed": bool(ratio >= target)}
    if task is None and fidelity.get("reference_spread", 1.0) < DEGENERATE_SPREAD:
        centered = fidelity.get("centered_cosine")
        gate["warning"] = (f"the FP32 output hardly depends on the input (reference_spread "
                           f"{fidelity['reference_spread']:.2g}), so this gate is weak; "
                           f"fidelity.centered_cosine is "
                           f"{'undefined' if centered is None else f'{centered:.4f}'}")
    return gate
