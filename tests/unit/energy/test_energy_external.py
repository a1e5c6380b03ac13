"""External meter: CSV exports aligned with a clock offset, header mapping, serial stream."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.core.errors import ConfigError, MeasurementError
from harness.energy.external import ExternalMeter

HOST_T0_S, HOST_T1_S = 1_700_000_000.0, 1_700_000_000.5
OFFSET_S = 37.25  # the meter's clock runs 37.25 s ahead of the host's


def _clock(*times_s: float):
    return iter(times_s).__next__


def _ramp_csv(path: Path, header: str = "timestamp_s,power_w", scale: float = 1.0) -> Path:
    """Power ramps 1 W/s from 1 W at meter time HOST_T0_S + 37 s, sampled at 10 Hz."""
    base_s = HOST_T0_S + 37.0
    rows = [f"{base_s + i / 10:.3f},{(1.0 + i / 10) * scale:.4f}" for i in range(-10, 30)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_csv_with_clock_offset_integrates_exactly_the_window(tmp_path: Path) -> None:
    csv_path = _ramp_csv(tmp_path / "meter.csv")
    meter = ExternalMeter(
        csv_path=str(csv_path), clock_offset_s=OFFSET_S, clock=_clock(HOST_T0_S, HOST_T1_S)
    )
    assert meter.probe().available
    with meter.window() as window:
        pass
    (reading,) = window.readings
    # Window on the meter clock is 0.25..0.75 s into the ramp: integral of (1 + x) dx = 0.75 J.
    assert reading.energy_j == pytest.approx(0.75, rel=1e-6)
    assert reading.duration_s == pytest.approx(0.5)
    assert reading.provenance == "measured-external"
    assert reading.scope == "whole device at the wall"
    assert reading.trace[0] == pytest.approx([0.0, 1.25])


def test_wrong_offset_means_the_file_does_not_cover_the_window(tmp_path: Path) -> None:
    csv_path = _ramp_csv(tmp_path / "meter.csv")
    meter = ExternalMeter(csv_path=str(csv_path), clock=_clock(HOST_T0_S, HOST_T1_S))
    meter.begin()
    with pytest.raises(MeasurementError, match="does not cover"):
        meter.end()


@pytest.mark.parametrize(
    ("header", "kwargs"),
    [
        ("#time,current,voltage,power", {}),  # Joulescope-style export
        ("Time [s],Main Power [W]", {}),  # Otii-style export
        ("t,p_mw", {"time_column": "t", "power_column": "p_mw", "power_scale": 0.001}),
    ],
)
def test_export_headers(tmp_path: Path, header: str, kwargs: dict) -> None:
    scale = 1000.0 if "power_scale" in kwargs else 1.0
    path = tmp_path / "export.csv"
    if header.startswith("#time"):
        base_s = HOST_T0_S + 37.0
        rows = [
            f"{base_s + i / 10:.3f},0.5,{2 * (1 + i / 10):.4f},{1 + i / 10:.4f}"
            for i in range(-10, 30)
        ]
        path.write_text(header + "\n" + "\n".join(rows) + "\n")
    else:
        _ramp_csv(path, header, scale)
    meter = ExternalMeter(
        csv_path=str(path), clock_offset_s=OFFSET_S, clock=_clock(HOST_T0_S, HOST_T1_S), **kwargs
    )
    with meter.window() as window:
        pass
    assert window.readings[0].energy_j == pytest.approx(0.75, rel=1e-6)


def test_unknown_columns_say_which_option_to_set(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("when,watts\n1,2\n")
    meter = ExternalMeter(csv_path=str(path), clock=_clock(0.0, 1.0))
    meter.begin()
    with pytest.raises(ConfigError, match="csv_time_column"):
        meter.end()


def test_missing_csv_and_missing_pyserial(tmp_path: Path) -> None:
    assert "not found" in ExternalMeter(csv_path=str(tmp_path / "x.csv")).probe().reason
    probe = ExternalMeter(serial_port="/dev/ttyUSB0").probe()
    try:
        import serial  # noqa: F401
    except ImportError:
        assert not probe.available and "pyserial not installed" in probe.reason


class FakeSerial:
    """Replays lines a USB power meter would print: '<meter time s>,<watts>'."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = [line.encode() for line in lines]

    def readline(self) -> bytes:
        if self._lines:
            return self._lines.pop(0)
        time.sleep(0.005)  # like a serial read timing out with nothing new
        return b""


def test_serial_stream_integrates_window() -> None:
    lines = [f"{HOST_T0_S - 0.1 + i * 0.05:.3f},4.0\n" for i in range(16)]
    lines.insert(3, "garbage\n")
    meter = ExternalMeter(
        serial_port="fake",
        clock=_clock(HOST_T0_S, HOST_T0_S + 0.5),
        open_stream=lambda: FakeSerial(lines),
    )
    with meter.window() as window:
        time.sleep(0.05)
    assert window.readings[0].energy_j == pytest.approx(2.0)
    assert "serial fake" in window.readings[0].method
