"""Generic hwmon power sensors: power*_input in µW, or in*_input x curr*_input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.energy.hwmon import HwmonMeter


@pytest.fixture
def hwmon_root(tmp_path: Path, write) -> Path:
    """An INA226 reporting power directly, an INA219 with only V and I, and a non-power chip."""
    root = tmp_path / "sys" / "class" / "hwmon"
    write(root / "hwmon0" / "name", "coretemp\n")
    write(root / "hwmon0" / "temp1_input", "45000\n")
    write(root / "hwmon1" / "name", "ina226\n")
    write(root / "hwmon1" / "power1_input", "2500000\n")  # 2.5 W in µW
    write(root / "hwmon1" / "in1_input", "5000\n")
    write(root / "hwmon1" / "curr1_input", "500\n")
    write(root / "hwmon2" / "name", "ina219\n")
    write(root / "hwmon2" / "in1_input", "12000\n")  # 12 V bus
    write(root / "hwmon2" / "curr1_input", "250\n")  # 250 mA -> 3 W
    write(root / "hwmon2" / "curr1_label", "board\n")
    write(root / "hwmon3" / "name", "ina3221\n")  # Jetson rails belong to the jetson meter
    write(root / "hwmon3" / "power1_input", "9000000\n")
    return root


def test_sensors_discovered_and_first_is_total(hwmon_root: Path) -> None:
    meter = HwmonMeter(hwmon_root, sample_period_s=0.02)
    assert meter.probe().available and meter.total_sensor == "ina226/power1"
    with meter.window() as window:
        time.sleep(0.05)
    by_key = {r.domain: r for r in window.readings}
    assert set(by_key) == {"ina226/power1", "ina219/board"}
    assert by_key["ina226/power1"].average_power_w == pytest.approx(2.5)
    assert by_key["ina219/board"].average_power_w == pytest.approx(3.0)
    assert by_key["ina219/board"].part_of == "ina226/power1"  # unknown wiring: never summed


def test_configured_sensor_is_total(hwmon_root: Path) -> None:
    meter = HwmonMeter(hwmon_root, sensor="ina219/board", sample_period_s=0.02)
    assert meter.probe().available
    with meter.window() as window:
        time.sleep(0.03)
    totals = [r.domain for r in window.readings if r.is_total]
    assert totals == ["ina219/board"]


def test_unknown_sensor_lists_what_exists(hwmon_root: Path) -> None:
    probe = HwmonMeter(hwmon_root, sensor="ina260/power1").probe()
    assert not probe.available and "ina226/power1" in probe.reason


def test_no_power_sensors(tmp_path: Path) -> None:
    assert not HwmonMeter(tmp_path).probe().available
