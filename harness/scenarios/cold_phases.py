"""Cold-start phases from one fresh process's marks, and their summary over the trials (ns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from harness.core import stats

#: Phase -> how it is computed from the marks (perf_counter_ns; "spawn" is the parent's mark
#: taken just before it started the process). adapter_ns is the harness's own share: reading
#: the job, importing the harness and building the backend; a deployment would not pay it.
PHASES = ("interpreter_ns", "import_ns", "adapter_ns", "load_ns", "first_inference_ns",
          "first_result_ns")


def phases_ns(marks: Mapping[str, int]) -> dict[str, int]:
    """Return each phase's duration (ns) from one process's marks; they sum to first_result_ns."""
    return {
        "interpreter_ns": marks["start"] - marks["spawn"],
        "import_ns": marks["imported"] - marks["job_read"],
        "adapter_ns": (marks["job_read"] - marks["start"]) + (marks["adapted"] - marks["imported"]),
        "load_ns": marks["loaded"] - marks["adapted"],
        "first_inference_ns": marks["first_result"] - marks["loaded"],
        "first_result_ns": marks["first_result"] - marks["spawn"],
    }


def phase_summary(samples_ns: Sequence[int], confidence: float) -> dict[str, Any]:
    """Return the median with its distribution-free interval (None when too few trials for
    one: 6 at 95 %), the mean with its t interval, the extremes and the raw samples (ns)."""
    arr = np.asarray(samples_ns, dtype=np.int64)
    est = stats.percentile_estimate(arr, 0.5, confidence)
    ci = stats.mean_ci(arr, confidence)
    return {"median_ns": stats.percentile(arr, 0.5),
            "median_ci_ns": None if est is None else [est.ci_low_ns, est.ci_high_ns],
            "mean_ns": float(arr.mean()), "mean_ci_ns": None if ci is None else list(ci),
            "min_ns": int(arr.min()), "max_ns": int(arr.max()), "samples_ns": arr.tolist()}


def summarise(trial_phases: Sequence[Mapping[str, int]], confidence: float) -> dict[str, Any]:
    """Return the summary of every phase over the trials of one cache setting."""
    return {name: phase_summary([t[name] for t in trial_phases], confidence) for name in PHASES}
