"""Typed record sections: the fields writers must spell one way and readers may rely on.

Each section is a frozen dataclass. Its typed fields are checked when the section is built
(a record with `throughput_sps: "fast"` is refused, not rendered); every other key the writer
put in the section is kept, unchanged, in `more`, so the JSON layout stays flat."""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from harness.core.stats import LatencySummary, PercentileEstimate

S = TypeVar("S", bound="Section")
_CHECKS: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (numbers.Integral,), "float": (numbers.Real,), "bool": (bool,),
    "list": (list, tuple), "dict": (dict,),
}


def _base_type(annotation: str) -> str:
    """Return the checked type name of a field annotation such as 'float | None'."""
    return annotation.split("|")[0].strip().split("[")[0]


@dataclass(frozen=True)
class Section:
    """A record section: typed fields and, in `more`, every other key the writer set."""

    more: dict[str, Any] = field(default_factory=dict)
    _present: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    #: typed fields whose value is itself parsed (name -> parser of the JSON value)
    PARSERS: ClassVar[dict[str, Any]] = {}

    @classmethod
    def typed_fields(cls) -> list[dataclasses.Field]:
        """Return the typed fields (everything but `more` and the presence bookkeeping)."""
        return [f for f in dataclasses.fields(cls) if not f.name.startswith("_")
                and f.name != "more"]

    @classmethod
    def from_dict(cls: type[S], data: Mapping[str, Any] | Section | None) -> S:
        """Return the section for a JSON mapping; raises TypeError naming a mistyped field."""
        if isinstance(data, cls):
            return data
        if isinstance(data, Section) or not isinstance(data, Mapping | None):
            raise TypeError(f"{cls.__name__} needs a mapping, not {type(data).__name__}")
        rest = dict(data or {})
        typed: dict[str, Any] = {}
        for f in cls.typed_fields():
            if f.name in rest:
                typed[f.name] = cls._check(f, rest.pop(f.name))
        return cls(**typed, more=rest, _present=frozenset(typed))

    @classmethod
    def _check(cls, f: dataclasses.Field, value: Any) -> Any:
        if value is None:
            return None
        if f.name in cls.PARSERS:
            return cls.PARSERS[f.name](value)
        kind = _base_type(str(f.type))
        if not isinstance(value, _CHECKS[kind]) or (kind != "bool" and isinstance(value, bool)):
            raise TypeError(f"{cls.__name__.removesuffix('Section').lower()}.{f.name} should "
                            f"be {kind}, not {type(value).__name__} {str(value)[:40]!r}")
        return value

    def to_dict(self) -> dict[str, Any]:
        """Return the section as flat JSON types: typed fields set or read, then `more`."""
        out: dict[str, Any] = {}
        for f in self.typed_fields():
            value = getattr(self, f.name)
            if value is not None or f.name in self._present:
                out[f.name] = _plain(value)
        out.update(self.more)
        return out

    def get(self, key: str, default: Any = None) -> Any:
        """Return a key of the JSON form (typed or not) as plain types, or `default`."""
        if key in self.__dataclass_fields__ and not key.startswith("_") and key != "more":
            value = getattr(self, key)
            if value is not None or key in self._present:
                return _plain(value)
            return default
        return self.more.get(key, default)

    def __bool__(self) -> bool:
        """Return whether the section holds anything (failed runs leave some empty)."""
        return bool(self.more or self._present) or any(
            getattr(self, f.name) is not None for f in self.typed_fields())


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def _estimate(data: Mapping[str, Any] | None) -> PercentileEstimate | None:
    return None if data is None else PercentileEstimate(**dict(data))


def parse_summary(data: Mapping[str, Any] | LatencySummary) -> LatencySummary:
    """Return a LatencySummary from its JSON form (percentiles with their intervals, ns)."""
    if isinstance(data, LatencySummary):
        return data
    values = dict(data)
    for name in ("p50", "p90", "p95", "p99"):
        values[name] = _estimate(values.get(name))
    ci = values.get("mean_ci_ns")
    values["mean_ci_ns"] = None if ci is None else (float(ci[0]), float(ci[1]))
    values.setdefault("confidence", 0.95)
    return LatencySummary(**values)


@dataclass(frozen=True)
class ModelSection(Section):
    """What was measured: the model's name, task, weights and tensors."""

    name: str | None = None
    task: str | None = None
    source: str | None = None
    weights_sha256: str | None = None
    parameter_count: int | None = None
    num_classes: int | None = None
    inputs: list | None = None
    outputs: list | None = None


@dataclass(frozen=True)
class ArtifactSection(Section):
    """The file that ran: format, precision, where it is, its hash and size (bytes)."""

    format: str | None = None
    precision: str | None = None
    path: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    cache_hit: bool | None = None
    exporter: str | None = None  # what wrote the fp32 graph, e.g. "torch.onnx dynamo + ..."
    fusions: dict | None = None  # fused operator type -> count (transformer optimizer)


@dataclass(frozen=True)
class BackendSection(Section):
    """The runtime that ran it: name, version, device and the availability probe."""

    name: str | None = None
    version: str | None = None
    device: str | None = None
    probe: dict | None = None


@dataclass(frozen=True)
class EnvironmentSection(Section):
    """The host: name, CPU, cores, OS, Python, library versions and the harness commit."""

    hostname: str | None = None
    cpu_model: str | None = None
    logical_cores: int | None = None
    os: str | None = None
    python: str | None = None
    libraries: dict | None = None
    harness_commit: str | None = None


@dataclass(frozen=True)
class ScenarioSection(Section):
    """The timed result of the last trial: latencies and their summary (ns), throughput."""

    name: str | None = None
    engine: str | None = None
    profile: str | None = None
    compliant: bool | None = None
    valid: bool | None = None
    latencies_ns: list | None = None
    query_count: int | None = None
    sample_count: int | None = None
    duration_ns: int | None = None
    throughput_sps: float | None = None
    summary: LatencySummary | None = None
    PARSERS: ClassVar[dict[str, Any]] = {"summary": parse_summary}

    def percentile(self, name: str) -> PercentileEstimate | None:
        """Return percentile `name` ("p50", "p90", "p95", "p99") with its interval, or None."""
        return getattr(self.summary, name, None) if self.summary else None


@dataclass(frozen=True)
class EnergySection(Section):
    """Energy in the timed window: per inference (J), its provenance and uncertainty."""

    meter: str | None = None
    gross_j_per_inference: float | None = None
    net_j_per_inference: float | None = None
    idle_power_w: float | None = None
    average_power_w: float | None = None
    provenance: str | None = None
    uncertainty_rel: float | None = None

    def interval(self, scale: float = 1.0) -> tuple[float, float, float] | None:
        """Return (value, low, high) of gross energy per inference × scale, or None."""
        value = self.gross_j_per_inference
        if value is None or not math.isfinite(value):
            return None
        rel = self.uncertainty_rel or 0.0
        return value * scale, value * scale * (1 - rel), value * scale * (1 + rel)


@dataclass(frozen=True)
class AccuracySection(Section):
    """Accuracy vs the FP32 reference: output fidelity, the task metric and the gate."""

    reference: str | None = None
    fidelity: dict | None = None
    task: dict | None = None
    gate: dict | None = None

    @property
    def task_value(self) -> float | None:
        """Return the task metric (e.g. top-1, a fraction), or None without a data set."""
        return (self.task or {}).get("value")

    @property
    def task_metric(self) -> str | None:
        """Return the task metric's name (top1, char_accuracy), or None without a data set."""
        return (self.task or {}).get("metric")

    @property
    def cosine(self) -> float | None:
        """Return the output cosine similarity vs FP32, or None."""
        return (self.fidelity or {}).get("cosine")


@dataclass(frozen=True)
class MemorySection(Section):
    """Memory: peak resident set (bytes) of the named scope and the cap the run had."""

    peak_rss_bytes: int | None = None
    peak_rss_scope: str | None = None
    cap_bytes: int | None = None


@dataclass(frozen=True)
class ProfileSection(Section):
    """The per-operator profile taken after the trials: where the time went, how much in int8
    (a fraction of the profiled time), and a one-line note when int8 cannot win."""

    profiler: str | None = None
    runs: int | None = None
    total_time_ns: int | None = None
    int8_fraction: float | None = None
    top_op_types: list | None = None
    fp32_fallback_nodes: int | None = None
    other_provider_nodes: int | None = None
    int8_note: str | None = None
    path: str | None = None  # the full profile, relative to the record's folder
    reason: str | None = None  # why there is no profile


@dataclass(frozen=True)
class ColdStartSection(Section):
    """Cold start in fresh processes: per cache setting ("off", "on"), each phase's median
    with its interval over the trials (ns; harness/scenarios/cold_phases.py), the artifact's
    size (bytes) and the compiled-model cache with the evidence that it was used."""

    trials: int | None = None
    artifact_size_bytes: int | None = None
    runtime_modules: list | None = None
    variants: dict | None = None
    cache: dict | None = None
    confidence: float | None = None

    def median_ns(self, setting: str, phase: str = "first_result_ns") -> int | None:
        """Return the median of `phase` under cache `setting` (ns), or None if not run."""
        found = (self.variants or {}).get(setting, {}).get("phases", {}).get(phase)
        return None if found is None else found["median_ns"]


@dataclass(frozen=True)
class GenerativeSection(Section):
    """A generative run (harness/generative): scenario, token counts, TTFT / TPOT / ITL /
    end-to-end summaries (ns, with intervals), throughputs (tokens/s) and raw traces."""

    scenario: str | None = None
    engine: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    requests: int | None = None
    ttft: LatencySummary | None = None
    tpot: LatencySummary | None = None
    itl: LatencySummary | None = None
    e2e: LatencySummary | None = None
    system_output_tokens_per_s: float | None = None
    request_output_tokens_per_s_mean: float | None = None
    prefill_tokens_per_s_mean: float | None = None
    valid: bool | None = None
    traces: list | None = None
    PARSERS: ClassVar[dict[str, Any]] = {k: parse_summary for k in ("ttft", "tpot", "itl", "e2e")}


#: Record field name -> its section type.
SECTIONS: dict[str, type[Section]] = {
    "model": ModelSection, "artifact": ArtifactSection, "backend": BackendSection,
    "environment": EnvironmentSection, "scenario": ScenarioSection, "energy": EnergySection,
    "accuracy": AccuracySection, "memory": MemorySection, "profile": ProfileSection,
    "cold_start": ColdStartSection, "generative": GenerativeSection,
}
