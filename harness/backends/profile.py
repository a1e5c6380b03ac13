"""Per-operator profiles: what one node cost, in which precision, on which provider or kernel.

The data a `ProfiledSession` (harness/backends/base.py) returns, and the rule that names a
node's precision from its operator type and element types, shared by every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from harness.core.errors import HarnessError


class Precision:
    """How a node computed: in int8 kernels, converting to or from int8, or in a float type."""

    int8 = "int8"
    convert = "convert"  # QuantizeLinear / DequantizeLinear / FakeQuantize / quantize_per_tensor
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    other = "other"  # integer index or shape arithmetic (int32/int64), booleans
    unknown = "unknown"  # the profiler names no element type (XNNPACK's "Add (ND)")

    ALL = (int8, convert, fp32, fp16, bf16, other, unknown)


#: Operator types that quantise or dequantise (their time is the price of int8 boundaries).
#: OpenVINO's "Convert" changes element type: in an int8 graph it is the first step of a
#: DequantizeLinear it could not fold into an int8 kernel (Convert, Subtract, Multiply).
CONVERT_OPS = frozenset({
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "FakeQuantize", "Convert",
    "aten::quantize_per_tensor", "aten::quantize_per_channel", "aten::dequantize",
    "quantized_decomposed::quantize_per_tensor", "quantized_decomposed::dequantize_per_tensor",
    "quantized_decomposed::dequantize_per_channel",
})
#: Element types that mean an int8 (or narrower integer) kernel computed the node.
INT8_TYPES = frozenset({"int8", "uint8", "i8", "u8", "int4", "uint4", "i4", "u4",
                        "quint8", "qint8", "qint32", "quint4x2"})
FLOAT_TYPES = {"float": Precision.fp32, "float32": Precision.fp32, "f32": Precision.fp32,
               "fp32": Precision.fp32, "double": Precision.fp32, "float16": Precision.fp16,
               "f16": Precision.fp16, "fp16": Precision.fp16, "half": Precision.fp16,
               "bfloat16": Precision.bf16, "bf16": Precision.bf16}


def precision_of(op_type: str, element_types: list[str]) -> str:
    """Return the Precision of a node from its operator type and its tensors' element types."""
    if op_type in CONVERT_OPS:
        return Precision.convert
    kinds = [t.lower().removeprefix("c10::") for t in element_types if t]
    if not kinds:
        return Precision.unknown
    if any(k in INT8_TYPES for k in kinds):
        return Precision.int8
    floats = [FLOAT_TYPES[k] for k in kinds if k in FLOAT_TYPES]
    if floats:
        return max(floats, key=Precision.ALL.index)  # fp32 over fp16 over bf16 when mixed
    return Precision.other


@dataclass(frozen=True)
class NodeTime:
    """One node of the executed graph: its total time over the profiled runs (ns)."""

    name: str
    op_type: str
    time_ns: int
    precision: str
    provider: str  # execution provider, device or delegate that ran it
    kernel: str = ""  # the runtime's kernel name where it reports one (OpenVINO exec_type)
    calls: int = 0  # how many times it ran over the profiled runs
    median_ns: int | None = None  # per call; None where the profiler reports totals only

    @classmethod
    def of_calls(cls, name: str, op_type: str, durations_ns: list[int], precision: str,
                 provider: str, kernel: str = "") -> NodeTime:
        """Return the node that ran once per entry of `durations_ns` (ns): their total, their
        count and their median."""
        return cls(name=name, op_type=op_type, time_ns=sum(durations_ns), precision=precision,
                   provider=provider, kernel=kernel, calls=len(durations_ns),
                   median_ns=median_ns(durations_ns))

    @property
    def typical_ns(self) -> int:
        """Return median call time x calls (ns): the total without calls that another process
        pre-empted; the plain total where the profiler reports no per-call times."""
        return self.time_ns if self.median_ns is None else self.median_ns * self.calls


@dataclass(frozen=True)
class OperatorProfile:
    """Per-node times of `runs` inferences, from the runtime's own profiler."""

    profiler: str
    runs: int
    main_provider: str  # nodes elsewhere count as "on another provider"
    nodes: tuple[NodeTime, ...]
    trace_files: tuple[str, ...] = ()  # the runtime's own trace, as written beside the record
    notes: tuple[str, ...] = ()  # what the profiler could not see, in words


def median_ns(durations_ns: list[int]) -> int | None:
    """Return the median of per-call durations (ns), or None for none."""
    return round(median(durations_ns)) if durations_ns else None


class NoOperatorProfile(HarnessError):
    """This backend (or this build of its runtime) cannot profile operators."""
