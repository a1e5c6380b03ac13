"""ExecuTorch's per-operator profile: the runtime's ETDump, read with executorch.devtools.

The PyPI runtime is built with the event tracer, so `load_program(enable_etdump=True)` records
one event per XNNPACK operator per run (named as XNNPACK names them, e.g. "Convolution (NHWC,
QS8) IGEMM #1", precision included) and one per portable kernel a non-delegated node ran."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.backends.base import ProfiledSession
from harness.backends.profile import NodeTime, OperatorProfile, Precision, precision_of

if TYPE_CHECKING:
    from harness.backends.executorch_backend import ExecuTorchSession

PROFILER = "ExecuTorch ETDump (event tracer; executorch.devtools.Inspector)"
TRACE_FILE = "executorch.etdp"
DELEGATE = "XnnpackBackend"
NOTE = "XNNPACK reports each operator's time in whole microseconds (ETDump delegate events)"
#: Events that time a whole call (the delegate, the method), not one operator.
_ENVELOPES = frozenset({"DELEGATE_CALL", "Method::execute", "OPERATOR_CALL"})
#: XNNPACK's data-type tags, as in "Convolution (NHWC, QC8) IGEMM" or "Max Pooling (NHWC, S8)".
_XNN_TYPES = {"F32": "fp32", "X32": "fp32", "F16": "fp16", "X16": "fp16", "BF16": "bf16",
              "QS8": "int8", "QU8": "int8", "QC8": "int8", "QD8": "int8", "QP8": "int8",
              "S8": "int8", "U8": "int8", "X8": "int8", "QC8W": "int8", "QC4W": "int4",
              "QB4W": "int4"}


def xnnpack_node(name: str) -> tuple[str, str, str]:
    """Return (op type, precision, kernel) of an XNNPACK event name such as
    "Convolution (NHWC, QC8) IGEMM #2" -> ("Convolution", "int8", "NHWC, QC8 IGEMM")."""
    head, _, number = name.rpartition(" #")
    base = head if number.isdigit() else name
    op, _, tail = base.partition("(")
    tags_text, _, rest = tail.partition(")")
    tags = [t.strip() for t in tags_text.split(",") if t.strip()]
    kernel = " ".join(x for x in (", ".join(tags), rest.strip()) if x)
    op = op.strip()
    if op == "Convert":  # XNNPACK's quantise / dequantise (its tags often name no types)
        return op, Precision.convert, kernel
    return op, precision_of(op, [_XNN_TYPES[t] for t in tags if t in _XNN_TYPES]), kernel


def etdump_nodes(path: Path, skip_runs: int) -> list[NodeTime]:
    """Return per-node times (ns) from an ETDump, leaving out each event's first `skip_runs`."""
    from executorch.devtools import Inspector  # loads pandas and the devtools: profile only
    from executorch.devtools.inspector import TimeScale

    with warnings.catch_warnings():  # no debug buffer: intermediate tensors are not asked for
        warnings.filterwarnings("ignore", "Output Buffer not found", UserWarning)
        inspector = Inspector(etdump_path=str(path), source_time_scale=TimeScale.NS,
                              target_time_scale=TimeScale.NS)
    nodes = []
    for block in inspector.event_blocks:
        if block.name != "Execute":
            continue
        for event in block.events:
            raw = [round(t) for t in event.perf_data.raw[skip_runs:]] if event.perf_data else []
            if event.name in _ENVELOPES or not raw:
                continue
            if event.is_delegated_op:
                op, precision, kernel = xnnpack_node(event.name)
                provider = event.delegate_backend_name or DELEGATE
            else:
                op = event.name.removeprefix("native_call_")
                precision, kernel, provider = precision_of(op, []), op, "portable kernels"
            nodes.append(NodeTime.of_calls(event.name, op, raw, precision, provider, kernel))
    return nodes


class ExecuTorchProfiledSession(ProfiledSession):
    """A method of a program loaded with ETDump on; its events are read at the end."""

    def __init__(self, inner: ExecuTorchSession) -> None:
        self.inner = inner

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the method once (its events go into the ETDump)."""
        return self.counted(self.inner.run(inputs))

    def end_profile(self, folder: Path) -> OperatorProfile:
        """Write the ETDump into `folder` and return its per-operator times."""
        folder.mkdir(parents=True, exist_ok=True)
        self.inner.program.write_etdump_result_to_file(str(folder / TRACE_FILE),
                                                       str(folder / "executorch_debug.bin"))
        nodes = etdump_nodes(folder / TRACE_FILE, self._skip)
        return OperatorProfile(PROFILER, self.profiled_runs, DELEGATE, tuple(nodes),
                               (TRACE_FILE,), (NOTE,))

    def describe(self) -> dict[str, Any]:
        """Return the wrapped session's provenance, marked as profiled."""
        return {**self.inner.describe(), "profiled": True}

    def close(self) -> None:
        """Close the wrapped session."""
        self.inner.close()
