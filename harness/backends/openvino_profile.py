"""OpenVINO's per-operator profile: InferRequest.profiling_info (PERF_COUNT) summed over runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import openvino as ov

from harness.backends.base import ProfiledSession
from harness.backends.profile import NodeTime, OperatorProfile, Precision, precision_of

if TYPE_CHECKING:
    from harness.backends.openvino_backend import OpenVinoSession

PROFILER = "OpenVINO performance counters (PERF_COUNT, InferRequest.profiling_info)"
TRACE_FILE = "openvino_profile.json"
DEQUANTIZE_STEPS = frozenset({"Subtract", "Multiply", "PowerStatic"})  # after a Convert
_QDQ_NAME = re.compile(r"(Quantize|Dequantize)Linear(_\d+)?$|FakeQuantize")


def kernel_precision(node_type: str, exec_type: str) -> str:
    """Return the Precision of a node from OpenVINO's exec_type suffix (jit_avx512_I8 -> int8)."""
    suffix = exec_type.rsplit("_", 1)[-1] if "_" in exec_type else ""
    return precision_of(node_type, [suffix])


def conversion_nodes(compiled: ov.CompiledModel, node_types: dict[str, str]) -> set[str]:
    """Return the executed nodes that only quantise or dequantise, from the runtime graph.

    A node counts when every ONNX layer fused into it (its originalLayersNames) is a
    Quantize/DequantizeLinear, or when it is a Subtract, Multiply or PowerStatic fed by a
    Convert or by such a node: the steps OpenVINO leaves of a DequantizeLinear it could not fold
    into an int8 kernel (x - zero_point, then x * scale). Reorders (layout copies named after
    their neighbours) never count. Empty when the device exposes no runtime graph."""
    try:
        ops = compiled.get_runtime_model().get_ordered_ops()  # topological order
    except RuntimeError:
        return set()
    marked: set[str] = set()
    for op in ops:
        name = op.get_friendly_name()
        kind = node_types.get(name)
        if kind is None or kind == "Reorder":
            continue
        layers = [x for x in op.get_rt_info()["originalLayersNames"].astype(str).split(",") if x]
        inputs = {value.get_node().get_friendly_name() for value in op.input_values()}
        if ((layers and all(_QDQ_NAME.search(x) for x in layers))
                or (kind in DEQUANTIZE_STEPS
                    and any(node_types.get(i) == "Convert" or i in marked for i in inputs))):
            marked.add(name)
    return marked


class OpenVinoProfiledSession(ProfiledSession):
    """A session on a model compiled with PERF_COUNT; each counted run's counters are summed."""

    def __init__(self, inner: OpenVinoSession) -> None:
        self.inner = inner
        self._counting = False
        self._runs = 0
        self._nodes: dict[str, list] = {}

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference; while counting, add its per-node real times."""
        outputs = self.inner.run(inputs)
        if self._counting:
            self._runs += 1
            for info in self.inner.request.profiling_info:
                if info.status != ov.ProfilingInfo.Status.EXECUTED:
                    continue
                entry = self._nodes.setdefault(info.node_name,
                                               [info.node_type, info.exec_type, []])
                entry[2].append(round(info.real_time.total_seconds() * 1e9))
        return outputs

    def begin_profile(self) -> None:
        """Count the runs from now on (the warm-up before is left out)."""
        self._counting = True

    def end_profile(self, folder: Path) -> OperatorProfile:
        """Stop counting; write the summed counters as JSON into `folder`; return them."""
        self._counting = False
        device = str(self.inner.info.get("device") or "CPU")
        conversions = conversion_nodes(self.inner.compiled,
                                       {name: op for name, (op, _, _) in self._nodes.items()})
        nodes = tuple(NodeTime.of_calls(name, op, durations,
                                        Precision.convert if name in conversions
                                        else kernel_precision(op, kernel), device, kernel)
                      for name, (op, kernel, durations) in self._nodes.items())
        folder.mkdir(parents=True, exist_ok=True)
        rows = [{"node_name": n.name, "node_type": n.op_type, "exec_type": n.kernel,
                 "real_time_ns": n.time_ns, "calls": n.calls} for n in nodes]
        (folder / TRACE_FILE).write_text(json.dumps({"runs": self._runs, "nodes": rows},
                                                    indent=1))
        return OperatorProfile(PROFILER, self._runs, device, nodes, (TRACE_FILE,))

    def describe(self) -> dict[str, Any]:
        """Return the wrapped session's provenance, marked as profiled."""
        return {**self.inner.describe(), "profiled": True}

    def close(self) -> None:
        """Close the wrapped session."""
        self.inner.close()
