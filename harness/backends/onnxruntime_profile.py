"""onnxruntime's per-operator profile: its JSON trace read into per-node times and precisions."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort

from harness.backends import onnxruntime_placement as placement
from harness.backends.base import ProfiledSession
from harness.backends.onnxruntime_session import OnnxRuntimeSession
from harness.backends.profile import NodeTime, OperatorProfile, precision_of

PROFILER = "onnxruntime profiling (SessionOptions.enable_profiling)"
TRACE_FILE = "onnxruntime_profile.json"


def _element_types(args: dict) -> list[str]:
    """Return the element types of a kernel event's inputs and outputs ("float", "uint8")."""
    types = []
    for key in ("input_type_shape", "output_type_shape"):
        for entry in args.get(key, []) or []:
            types += list(entry) if isinstance(entry, dict) else []
    return types


def _run_starts_us(events: list[dict]) -> list[int]:
    """Return the start time (µs) of each model_run event, in order."""
    return sorted(int(e["ts"]) for e in events
                  if e.get("cat") == "Session" and e.get("name") == "model_run")


def node_times(events: list[dict], skip_runs: int) -> list[NodeTime]:
    """Return per-node times (ns) summed over the runs after the first `skip_runs`."""
    starts = _run_starts_us(events)
    since_us = starts[skip_runs] if skip_runs < len(starts) else float("inf")
    providers = placement.node_providers(events)
    totals: dict[str, list] = {}
    for event in events:
        name = event.get("name", "")
        if (event.get("cat") != "Node" or not name.endswith(placement.KERNEL_SUFFIX)
                or int(event.get("ts", 0)) < since_us):
            continue
        node = name[: -len(placement.KERNEL_SUFFIX)]
        args = event.get("args", {})
        entry = totals.setdefault(node, [args.get("op_name", "?"), [], _element_types(args)])
        entry[1].append(int(event.get("dur", 0)) * 1000)
    return [NodeTime.of_calls(node, op, durations, precision_of(op, types),
                              providers.get(node, "?"))
            for node, (op, durations, types) in totals.items()]


class OnnxRuntimeProfiledSession(OnnxRuntimeSession, ProfiledSession):
    """An InferenceSession created with enable_profiling: every run is traced until the end."""

    def __init__(self, session: ort.InferenceSession, *args: object, **kwargs: object) -> None:
        super().__init__(session, *args, **kwargs)
        self._tracing = True

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one traced inference; returns host arrays."""
        return self.counted(super().run(inputs))

    def end_profile(self, folder: Path) -> OperatorProfile:
        """Stop tracing, move ORT's JSON trace into `folder` and return its per-node times."""
        folder.mkdir(parents=True, exist_ok=True)
        trace = folder / TRACE_FILE
        self._tracing = False
        shutil.move(placement.end_profile_file(self.session), trace)
        nodes = node_times(placement.read_events(trace), self._skip)
        main = (self.info.get("providers") or ["CPUExecutionProvider"])[0]
        return OperatorProfile(PROFILER, self.profiled_runs, main, tuple(nodes),
                               (TRACE_FILE,))

    def close(self) -> None:
        """Drop the session; a trace never ended (the profile failed) is deleted, not left."""
        if self._tracing and self.session is not None:
            self._tracing = False
            placement.discard_profile(self.session)
        super().close()
