"""Methodology: idle baseline, gross/net per inference, uncertainty, window rule, marks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.energy.base import EnergyMeter, EnergyReading
from harness.energy.method import (
    IdleBaseline,
    extra_iterations,
    idle_baseline,
    provenance_mark,
    required_window_s,
    summarise_energy,
    window_covered,
)


def _reading(
    domain: str,
    energy_j: float,
    part_of: str = "",
    acc: float = 0.05,
    prov: str = "measured-counter",
    duration_s: float = 10.0,
) -> EnergyReading:
    return EnergyReading(
        energy_j, duration_s, f"scope {domain}", domain, "RAPL powercap counter", prov, acc, part_of
    )


RUN = [
    _reading("package-0", 300.0),
    _reading("package-0/core", 200.0, "package-0"),
    _reading("package-0/dram", 50.0),
]


class ReplayMeter(EnergyMeter):
    """Replays recorded idle readings (what a 2 s idle RAPL window on a laptop reads)."""

    name = "replay"
    min_window_s = 1.0

    def probe(self) -> Probe:
        return Probe(True, "replay")

    def _start(self) -> None:
        pass

    def _stop(self) -> list[EnergyReading]:
        return [
            _reading("package-0", 8.0, duration_s=2.0),
            _reading("package-0/dram", 2.0, duration_s=2.0),
        ]


def test_idle_baseline_averages_power_per_domain() -> None:
    slept: list[float] = []
    idle = idle_baseline(ReplayMeter(), 2.0, sleep=slept.append)
    assert slept == [2.0]
    assert idle.power_w == {"package-0": 4.0, "package-0/dram": 1.0}


def test_summary_gross_net_per_inference() -> None:
    idle = IdleBaseline({"package-0": 4.0, "package-0/core": 1.0, "package-0/dram": 1.0}, 2.0)
    summary = summarise_energy(RUN, idle, inferences=1000, samples=500)
    assert summary.gross_energy_j == pytest.approx(350.0)  # core not added to package
    assert summary.idle_power_w == pytest.approx(5.0)
    assert summary.net_energy_j == pytest.approx(300.0)
    assert summary.gross_j_per_inference == pytest.approx(0.35)
    assert summary.net_j_per_inference == pytest.approx(0.30)
    assert summary.gross_j_per_sample == pytest.approx(0.70)
    assert summary.net_j_per_sample == pytest.approx(0.60)
    assert summary.inferences_per_j == pytest.approx(1000 / 350)
    assert summary.average_power_w == pytest.approx(35.0)
    assert summary.scope == "scope package-0 + scope package-0/dram"
    assert summary.uncertainty_rel == pytest.approx(0.05)
    assert provenance_mark(summary.provenance) == ""
    json.dumps(dataclasses.asdict(summary))


def test_summary_without_idle_has_no_net() -> None:
    summary = summarise_energy(RUN, None, inferences=10, samples=10)
    assert summary.net_energy_j is None and summary.net_j_per_inference is None


def test_uncertainty_combines_accuracy_and_trial_spread() -> None:
    trials = [([_reading("package-0", e)], 100) for e in (90.0, 100.0, 110.0)]
    summary = summarise_energy(trials[1][0], None, 100, 100, trials_readings=trials)
    assert summary.uncertainty_rel == pytest.approx((0.05**2 + 0.1**2) ** 0.5)


def test_any_estimated_total_makes_the_summary_estimated() -> None:
    readings = [_reading("gpu0", 10.0), _reading("cpu-model", 5.0, acc=0.5, prov="estimated")]
    summary = summarise_energy(readings, None, 1, 1)
    assert summary.provenance == "estimated"
    assert provenance_mark(summary.provenance) == "(est.)"
    assert summary.uncertainty_rel == pytest.approx((10 * 0.05 + 5 * 0.5) / 15)


def test_nothing_to_summarise() -> None:
    with pytest.raises(MeasurementError):
        summarise_energy([], None, 10, 10)
    with pytest.raises(MeasurementError, match="not positive"):
        summarise_energy([_reading("package-0", 0.0)], None, 10, 10)


def test_window_rule() -> None:
    meter = ReplayMeter()
    assert not window_covered(0.4, meter) and window_covered(1.0, meter)
    assert required_window_s(0.5, meter) == 1.0 and required_window_s(5.0, meter) == 5.0
    assert extra_iterations(0.25, 100, meter) == 300  # 100 more per 0.25 s to reach 1 s
    assert extra_iterations(2.0, 100, meter) == 0
    summary = summarise_energy(RUN, None, 10, 10, min_window_s=20.0)
    assert not summary.window_covered
