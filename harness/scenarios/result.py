"""ScenarioResult: the plain, JSON-ready outcome of one scenario run, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.core import stats
from harness.scenarios.config import HEADLINE_FRACTION, ScenarioConfig, ScenarioName, is_compliant


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario run: raw latencies (ns), summary, headline metric and validity."""

    name: str
    engine: str
    profile: str
    compliant: bool
    latencies_ns: list[int]
    query_count: int
    sample_count: int
    duration_ns: int
    throughput_sps: float
    summary: stats.LatencySummary
    headline_metric: str
    headline_value: float
    headline_unit: str
    valid: bool | None
    warmup_count: int
    warmup_ns: int
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Measurement:
    """What an engine measured in the timed region, before interpretation."""

    latencies_ns: np.ndarray
    query_count: int
    sample_count: int
    duration_ns: int
    warmup_count: int
    warmup_ns: int
    extra: dict[str, Any] = field(default_factory=dict)
    valid: bool | None = None
    warnings: tuple[str, ...] = ()


def headline(cfg: ScenarioConfig, m: Measurement) -> tuple[str, float, str]:
    """Return (metric name, value, unit): LoadGen's percentile in ns, or offline samples/s."""
    if cfg.name is ScenarioName.offline:
        return "throughput", throughput_sps(m), "samples/s"
    fraction = HEADLINE_FRACTION[cfg.name]
    return f"p{round(fraction * 100)}_latency", float(stats.percentile(m.latencies_ns,
                                                                         fraction)), "ns"


def throughput_sps(m: Measurement) -> float:
    """Return completed samples per second of the timed region (samples/s)."""
    return m.sample_count * 1e9 / m.duration_ns if m.duration_ns > 0 else 0.0


def quality_warnings(cfg: ScenarioConfig, m: Measurement) -> list[str]:
    """Return warnings about drift, the quick profile and caps hit before the minimums."""
    warnings = list(m.warnings)
    if not is_compliant(cfg):
        warnings.append(f"non-compliant: profile={cfg.profile.value}, engine={cfg.engine.value}"
                        " (only profile=mlperf with engine=loadgen is MLPerf-compliant)")
    drift = stats.drift_check(m.latencies_ns, cfg.drift_threshold)
    if drift is not None and drift.drifted:
        warnings.append(
            f"drift: median latency moved {drift.relative_change:+.1%} from the first to the"
            f" last fifth of the run ({drift.first_median_ns:.0f} -> {drift.last_median_ns:.0f}"
            " ns); check thermals, frequency scaling and background load")
    if m.query_count < cfg.min_count and cfg.name is not ScenarioName.offline:
        warnings.append(f"cap reached: {m.query_count} queries < min_count {cfg.min_count}")
    if m.duration_ns < cfg.min_duration_s * 1e9:
        warnings.append(f"cap reached: ran {m.duration_ns / 1e9:.3f} s < min_duration_s "
                        f"{cfg.min_duration_s} s")
    return warnings


def build_result(cfg: ScenarioConfig, m: Measurement) -> ScenarioResult:
    """Return the ScenarioResult for a measurement: summary, headline, warnings."""
    name, value, unit = headline(cfg, m)
    return ScenarioResult(
        name=cfg.name.value, engine=cfg.engine.value, profile=cfg.profile.value,
        compliant=is_compliant(cfg) and m.valid is not False,
        latencies_ns=[int(x) for x in m.latencies_ns.tolist()],
        query_count=m.query_count, sample_count=m.sample_count, duration_ns=m.duration_ns,
        throughput_sps=throughput_sps(m), summary=stats.summarize(m.latencies_ns, cfg.confidence),
        headline_metric=name, headline_value=value, headline_unit=unit, valid=m.valid,
        warmup_count=m.warmup_count, warmup_ns=m.warmup_ns,
        warnings=quality_warnings(cfg, m), extra=dict(m.extra),
    )
