"""Which execution provider ran each node (from the first, profiled run), and clashing wheels."""

from __future__ import annotations

import json
import os
from collections import Counter
from importlib.metadata import distributions
from pathlib import Path

import onnxruntime as ort

#: Wheels that all install the `onnxruntime` Python package and overwrite one another's files.
ORT_WHEELS = frozenset({
    "onnxruntime", "onnxruntime-gpu", "onnxruntime-openvino", "onnxruntime-directml",
    "onnxruntime-qnn", "onnxruntime-training", "onnxruntime-rocm", "onnxruntime-silicon",
})
#: Where a provider keeps its tensors, for IO binding (OrtValue device type).
PROVIDER_DEVICE = {
    "CUDAExecutionProvider": "cuda",
    "TensorrtExecutionProvider": "cuda",
    "ROCMExecutionProvider": "cuda",
    "DmlExecutionProvider": "dml",
}
_KERNEL_SUFFIX = "_kernel_time"


def installed_ort_wheels() -> list[str]:
    """Return the onnxruntime wheel names installed in this environment, sorted."""
    names = {(d.metadata["Name"] or "").lower().replace("_", "-") for d in distributions()}
    return sorted(names & ORT_WHEELS)


def wheel_clash_warning() -> str:
    """Return a warning when several onnxruntime wheels overwrite one another, else ''."""
    wheels = installed_ort_wheels()
    if len(wheels) < 2:
        return ""
    return (f"several onnxruntime wheels are installed ({', '.join(wheels)}); they overwrite "
            "one another's files, so the active providers depend on install order. Uninstall "
            "all of them and install exactly one.")


def end_placement(session: ort.InferenceSession) -> Counter:
    """Stop profiling and return the node count per execution provider of the profiled run.

    The session was created with `enable_profiling` and has run once, on the run's own
    inputs; ORT stops profiling in end_profiling, so the runs that follow are not slowed."""
    path = Path(session.end_profiling())
    try:
        events = json.loads(path.read_text())
    finally:
        path.unlink(missing_ok=True)
    nodes: dict[str, str] = {}
    for event in events:
        name = event.get("name", "")
        if event.get("cat") == "Node" and name.endswith(_KERNEL_SUFFIX):
            nodes[name[: -len(_KERNEL_SUFFIX)]] = event.get("args", {}).get("provider", "?")
    return Counter(nodes.values())


def discard_profile(session: ort.InferenceSession) -> None:
    """Stop profiling and delete the profile file (the profiled run failed)."""
    Path(session.end_profiling()).unlink(missing_ok=True)


def cpu_fallbacks(counts: Counter, requested: list[str]) -> int:
    """Return how many nodes fell back to the CPU provider when an accelerator was requested."""
    accelerated = [p for p in requested if p != "CPUExecutionProvider"]
    return counts.get("CPUExecutionProvider", 0) if accelerated else 0


def profile_prefix(tmp_dir: str | None = None) -> str:
    """Return a per-process file prefix for ORT's profile JSON (in the temp folder)."""
    folder = tmp_dir or os.environ.get("TMPDIR", "/tmp")
    return str(Path(folder) / f"harness-ort-profile-{os.getpid()}")
