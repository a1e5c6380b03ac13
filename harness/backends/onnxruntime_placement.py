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
KERNEL_SUFFIX = "_kernel_time"


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


def end_profile_file(session: ort.InferenceSession) -> Path:
    """Stop the session's profiling and return the path of the JSON trace ORT wrote."""
    return Path(session.end_profiling())


def read_events(path: Path) -> list[dict]:
    """Return the events of an ORT profile trace (Chrome trace format, times in µs)."""
    return json.loads(Path(path).read_text())


def node_providers(events: list[dict]) -> dict[str, str]:
    """Return node name -> the execution provider that ran it, from a profile's kernel events."""
    nodes: dict[str, str] = {}
    for event in events:
        name = event.get("name", "")
        if event.get("cat") == "Node" and name.endswith(KERNEL_SUFFIX):
            nodes[name[: -len(KERNEL_SUFFIX)]] = event.get("args", {}).get("provider", "?")
    return nodes


def end_placement(session: ort.InferenceSession) -> Counter:
    """Stop profiling and return the node count per execution provider of the profiled run.

    The session was created with `enable_profiling` and has run once, on the run's own
    inputs; ORT stops profiling in end_profiling, so the runs that follow are not slowed."""
    path = end_profile_file(session)
    try:
        events = read_events(path)
    finally:
        path.unlink(missing_ok=True)
    return Counter(node_providers(events).values())


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
