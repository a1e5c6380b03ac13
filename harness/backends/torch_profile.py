"""torch's per-operator profile: torch.profiler's key_averages, one row per operator and shape."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from torch.profiler import ProfilerActivity, profile

from harness.backends.base import ProfiledSession
from harness.backends.profile import NodeTime, OperatorProfile, Precision, precision_of

if TYPE_CHECKING:
    from harness.backends.torch_backend import TorchSession

PROFILER = "torch.profiler (self time per operator and input shape)"
TRACE_FILE = "torch_profile.trace.json"
NOTE = ("torch eager has no graph node names: a node is one operator at one input shape, and "
        "its time is the operator's self time (nested calls are counted once, where they run)")


def op_precision(op_type: str, input_dtypes: list[str]) -> str:
    """Return the Precision of a torch operator from its name and input dtypes
    (quantized::conv2d, or any op on a quint8 tensor -> int8)."""
    precision = precision_of(op_type, input_dtypes)
    if "quantized" in op_type and precision != Precision.convert:
        return Precision.int8
    return precision


def event_nodes(events: list, on_gpu: bool, device: str) -> list[NodeTime]:
    """Return one NodeTime per (operator, input shapes) of torch.profiler's events."""
    groups: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
    for evt in events:
        time_us = evt.self_device_time_total if on_gpu else evt.self_cpu_time_total
        shapes = str([list(s) for s in evt.input_shapes if s] if evt.input_shapes else [])
        dtypes = [str(t) for t in (evt.input_dtypes or []) if t]
        groups.setdefault((evt.name, shapes), (dtypes, []))[1].append(round(time_us * 1000))
    return [NodeTime.of_calls(f"{op} {shapes}", op, times, op_precision(op, dtypes), device)
            for (op, shapes), (dtypes, times) in groups.items() if sum(times) > 0]


class TorchProfiledSession(ProfiledSession):
    """A torch session whose runs between begin and end run under torch.profiler."""

    def __init__(self, inner: TorchSession) -> None:
        self.inner = inner
        self._profiler: profile | None = None
        self._runs = 0

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference (recorded while the profiler is on)."""
        outputs = self.inner.run(inputs)
        self._runs += self._profiler is not None
        return outputs

    def begin_profile(self) -> None:
        """Start torch.profiler (CPU, plus CUDA on a CUDA device), recording input shapes."""
        activities = [ProfilerActivity.CPU]
        if self.inner.device.type == "cuda":
            activities.append(ProfilerActivity.CUDA)
        self._profiler = profile(activities=activities, record_shapes=True)
        self._profiler.__enter__()

    def end_profile(self, folder: Path) -> OperatorProfile:
        """Stop the profiler, export its Chrome trace into `folder`, return per-op self times."""
        prof, self._profiler = self._profiler, None
        self.inner.synchronize()
        prof.__exit__(None, None, None)
        folder.mkdir(parents=True, exist_ok=True)
        prof.export_chrome_trace(str(folder / TRACE_FILE))
        device = str(self.inner.device)
        nodes = event_nodes(prof.events(), self.inner.device.type == "cuda", device)
        return OperatorProfile(PROFILER, self._runs, device, tuple(nodes), (TRACE_FILE,),
                               (NOTE,))

    def synchronize(self) -> None:
        """Wait for queued device work."""
        self.inner.synchronize()

    def describe(self) -> dict[str, Any]:
        """Return the wrapped session's provenance, marked as profiled."""
        return {**self.inner.describe(), "profiled": True}

    def close(self) -> None:
        """Stop a profiler still running (the profile failed) and close the wrapped session."""
        if self._profiler is not None:
            prof, self._profiler = self._profiler, None
            prof.__exit__(None, None, None)
        self.inner.close()
