"""The meter contract: begin/end bracketing, window(), NullMeter, serialisable readings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.energy.base import EnergyMeter, EnergyReading, NullMeter, Provenance


class CountingMeter(EnergyMeter):
    """A meter whose 'hardware' is a call counter: one joule per window."""

    name = "counting"

    def __init__(self) -> None:
        self.stops = 0

    def probe(self) -> Probe:
        return Probe(True, "always")

    def _start(self) -> None:
        pass

    def _stop(self) -> list[EnergyReading]:
        self.stops += 1
        return [EnergyReading(1.0, 0.5, "test", "d", "count", "estimated", 0.1)]


def test_end_without_begin_raises() -> None:
    with pytest.raises(MeasurementError, match="without begin"):
        CountingMeter().end()


def test_begin_twice_raises() -> None:
    meter = CountingMeter()
    meter.begin()
    with pytest.raises(MeasurementError, match="begun twice"):
        meter.begin()


def test_window_fills_readings_after_block() -> None:
    meter = CountingMeter()
    with meter.window() as window:
        assert window.readings == []
    assert [r.energy_j for r in window.readings] == [1.0]
    assert window.readings[0].average_power_w == pytest.approx(2.0)


def test_window_ends_meter_when_block_raises() -> None:
    meter = CountingMeter()
    with pytest.raises(ZeroDivisionError), meter.window():
        _ = 1 / 0
    assert meter.stops == 1
    meter.begin()  # not stuck in the active state
    meter.close()
    assert meter.stops == 2


def test_null_meter_reports_nothing() -> None:
    meter = NullMeter()
    assert meter.probe().available
    with meter.window() as window:
        pass
    assert window.readings == []


def test_reading_is_json_serialisable() -> None:
    reading = EnergyReading(
        3.0,
        1.5,
        "CPU package",
        "package-0",
        "RAPL powercap counter",
        Provenance.MEASURED_COUNTER.value,
        0.05,
        trace=[[0.0, 2.0], [1.5, 2.0]],
    )
    data = json.loads(json.dumps(dataclasses.asdict(reading)))
    assert data["provenance"] == "measured-counter"
    assert data["part_of"] == "" and reading.is_total


def test_provenance_values() -> None:
    assert [p.value for p in Provenance] == [
        "measured-counter",
        "measured-sampled",
        "measured-external",
        "estimated",
    ]
