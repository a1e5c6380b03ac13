"""Fake sysfs trees in the kernel's real layouts (RAPL powercap, hwmon, Jetson INA3221).

Plain functions over a root folder, so both the unit-test fixtures (conftest.py) and the meter
conformance suite (tests/conformance) build the same trees.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write like the kernel updates a counter: readers never see a half-written value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def rapl_zone(sys_root: Path, dirname: str, name: str, energy_uj: int,
              max_uj: int = 262143328850) -> Path:
    """Return a powercap zone folder written under <sys_root>/class/powercap."""
    zone = sys_root / "class" / "powercap" / dirname
    write_atomic(zone / "name", f"{name}\n")
    write_atomic(zone / "energy_uj", f"{energy_uj}\n")
    write_atomic(zone / "max_energy_range_uj", f"{max_uj}\n")
    return zone


def ina3221_hwmon(sys_root: Path, addr: str,
                  rails: list[tuple[str, float, float] | None]) -> Path:
    """Return a JetPack 5+ ina3221 hwmon folder; rails as (label, mV, mA), None = unused."""
    hwmon = sys_root / "bus/i2c/drivers/ina3221" / addr / "hwmon" / "hwmon3"
    for i, rail in enumerate(rails, start=1):
        if rail is None:
            continue
        label, mv, ma = rail
        write_atomic(hwmon / f"in{i}_label", f"{label}\n")
        write_atomic(hwmon / f"in{i}_input", f"{mv:g}\n")
        write_atomic(hwmon / f"curr{i}_input", f"{ma:g}\n")
    # The kernel's summed-shunt channel: a label and a voltage, never a rail of its own.
    write_atomic(hwmon / "in7_label", "sum of shunt voltages\n")
    write_atomic(hwmon / "in7_input", "12\n")
    return hwmon


def ina3221_iio(sys_root: Path, addr: str, rails: list[tuple[str, float]]) -> Path:
    """Return a JetPack 4 ina3221x iio folder; rails as (name, mW)."""
    iio = sys_root / "bus/i2c/devices" / addr / "iio:device0"
    for i, (name, mw) in enumerate(rails):
        write_atomic(iio / f"rail_name_{i}", f"{name}\n")
        write_atomic(iio / f"in_power{i}_input", f"{mw:g}\n")
        write_atomic(iio / f"in_voltage{i}_input", "5000\n")
        write_atomic(iio / f"in_current{i}_input", f"{mw / 5:g}\n")
    return iio


def ina226_hwmon(sys_root: Path, power_uw: int = 2500000) -> Path:
    """Return an INA226 hwmon chip (power1_input in µW) under <sys_root>/class/hwmon."""
    chip = sys_root / "class" / "hwmon" / "hwmon1"
    write_atomic(chip / "name", "ina226\n")
    write_atomic(chip / "power1_input", f"{power_uw}\n")
    return chip
