"""Energy methodology: idle baseline, gross/net energy per inference, window length, marks.

Window rule: the timed window must last at least the meter's `min_window_s` (set to about
twenty update periods for counters, so edge quantisation stays near 5 %). A scenario whose
natural run is shorter keeps issuing whole queries until `required_window_s` has passed (see
`extra_iterations`); it never pads with idle time, which would dilute energy per inference.
Only top-level readings (`part_of == ""`) are summed: they are disjoint by construction.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from harness.core.errors import MeasurementError
from harness.energy.base import EnergyMeter, EnergyReading, Provenance

ESTIMATED_MARK = "(est.)"


@dataclass(frozen=True)
class IdleBaseline:
    """Average idle power per reading domain (W), measured over `duration_s`."""

    power_w: Mapping[str, float]
    duration_s: float


@dataclass(frozen=True)
class EnergySummary:
    """Energy of one run: gross and net (idle subtracted) joules, rates, label and uncertainty."""

    gross_energy_j: float
    net_energy_j: float | None
    duration_s: float
    inferences: int
    samples: int
    gross_j_per_inference: float
    net_j_per_inference: float | None
    gross_j_per_sample: float
    net_j_per_sample: float | None
    inferences_per_j: float
    average_power_w: float
    idle_power_w: float | None
    provenance: str
    scope: str
    method: str
    uncertainty_rel: float
    window_covered: bool


def idle_baseline(
    meter: EnergyMeter, seconds: float, sleep: Callable[[float], None] = time.sleep
) -> IdleBaseline:
    """Return the average idle power (W) per domain over `seconds` of doing nothing."""
    meter.begin()
    sleep(seconds)
    readings = meter.end()
    return IdleBaseline({r.domain: r.average_power_w for r in readings}, seconds)


def window_covered(duration_s: float, meter: EnergyMeter) -> bool:
    """Return True when a window of `duration_s` seconds is long enough for this meter."""
    return duration_s >= meter.min_window_s


def required_window_s(min_duration_s: float, meter: EnergyMeter) -> float:
    """Return the minimum timed window in seconds: the scenario's minimum or the meter's."""
    return max(min_duration_s, meter.min_window_s)


def extra_iterations(duration_s: float, iterations: int, meter: EnergyMeter) -> int:
    """Return how many more iterations, at the observed rate, reach the meter's min window."""
    if duration_s >= meter.min_window_s or iterations <= 0:
        return 0
    if duration_s <= 0:
        raise MeasurementError("Window duration must be > 0 s.", "Time at least one iteration.")
    return math.ceil(iterations * (meter.min_window_s / duration_s - 1.0))


def provenance_mark(provenance: str) -> str:
    """Return the table mark for a provenance label: "(est.)" for estimated, else ""."""
    return ESTIMATED_MARK if Provenance.ESTIMATED.value in str(provenance) else ""


def _combined_provenance(readings: Sequence[EnergyReading]) -> str:
    labels = sorted({r.provenance for r in readings})
    if Provenance.ESTIMATED.value in labels:
        return Provenance.ESTIMATED.value
    return "+".join(labels)


def _trial_spread_rel(trials: Sequence[tuple[Sequence[EnergyReading], int]]) -> float:
    per_inference = [
        sum(r.energy_j for r in readings if r.is_total) / count
        for readings, count in trials
        if count > 0
    ]
    if len(per_inference) < 2 or statistics.fmean(per_inference) <= 0:
        return 0.0
    return statistics.stdev(per_inference) / statistics.fmean(per_inference)


def summarise_energy(
    readings: Sequence[EnergyReading],
    idle: IdleBaseline | None,
    inferences: int,
    samples: int,
    trials_readings: Sequence[tuple[Sequence[EnergyReading], int]] | None = None,
    min_window_s: float = 0.0,
) -> EnergySummary:
    """Return the run's energy summary (J, J/inference, inferences/J, W) from its readings.

    `trials_readings` holds (readings, inferences) of each independent trial; their coefficient
    of variation in J/inference combines in quadrature with the energy-weighted meter accuracy.
    """
    totals = [r for r in readings if r.is_total]
    if not totals or inferences <= 0 or samples <= 0:
        raise MeasurementError(
            "No energy to summarise (no top-level readings, or zero inferences).",
            "Use a meter other than none and time at least one inference.",
        )
    gross_j = sum(r.energy_j for r in totals)
    if gross_j <= 0:
        raise MeasurementError(
            f"Gross energy is {gross_j} J, not positive; the meter did not advance.",
            "Lengthen the window past the meter's min_window_s or check the meter.",
        )
    duration_s = max(r.duration_s for r in totals)
    idle_w = sum(idle.power_w.get(r.domain, 0.0) for r in totals) if idle else None
    net_j = gross_j - idle_w * duration_s if idle_w is not None else None
    weights = [abs(r.energy_j) for r in totals]
    accuracy = sum(w * r.accuracy_rel for w, r in zip(weights, totals, strict=True))
    accuracy = accuracy / sum(weights) if sum(weights) > 0 else max(r.accuracy_rel for r in totals)
    spread = _trial_spread_rel(trials_readings or [])
    return EnergySummary(
        gross_energy_j=gross_j,
        net_energy_j=net_j,
        duration_s=duration_s,
        inferences=inferences,
        samples=samples,
        gross_j_per_inference=gross_j / inferences,
        net_j_per_inference=net_j / inferences if net_j is not None else None,
        gross_j_per_sample=gross_j / samples,
        net_j_per_sample=net_j / samples if net_j is not None else None,
        inferences_per_j=inferences / gross_j,
        average_power_w=gross_j / duration_s if duration_s > 0 else 0.0,
        idle_power_w=idle_w,
        provenance=_combined_provenance(totals),
        scope=" + ".join(dict.fromkeys(r.scope for r in totals)),
        method="; ".join(dict.fromkeys(r.method for r in totals)),
        uncertainty_rel=math.hypot(accuracy, spread),
        window_covered=duration_s >= min_window_s,
    )
