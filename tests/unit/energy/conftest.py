"""Fake sysfs trees for the energy meter tests (realistic layouts, written under tmp_path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest


def write_atomic(path: Path, text: str) -> None:
    """Write like the kernel updates a counter: readers never see a half-written value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


@pytest.fixture
def write() -> Callable[[Path, str], None]:
    """Return the atomic writer."""
    return write_atomic


@pytest.fixture
def rapl_zone(tmp_path: Path) -> Callable[..., Path]:
    """Return a builder for one powercap zone directory under tmp_path/sys/class/powercap."""

    def build(dirname: str, name: str, energy_uj: int, max_uj: int = 262143328850) -> Path:
        zone = tmp_path / "sys" / "class" / "powercap" / dirname
        write_atomic(zone / "name", f"{name}\n")
        write_atomic(zone / "energy_uj", f"{energy_uj}\n")
        write_atomic(zone / "max_energy_range_uj", f"{max_uj}\n")
        return zone

    return build


@pytest.fixture
def ina3221_hwmon(tmp_path: Path) -> Callable[..., Path]:
    """Return a builder for a JetPack 5+ ina3221 hwmon device: rails as (label, mV, mA)."""

    def build(addr: str, rails: list[tuple[str, float, float] | None]) -> Path:
        hwmon = tmp_path / "sys/bus/i2c/drivers/ina3221" / addr / "hwmon" / "hwmon3"
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

    return build


@pytest.fixture
def ina3221_iio(tmp_path: Path) -> Callable[..., Path]:
    """Return a builder for a JetPack 4 ina3221x iio device: rails as (name, mW)."""

    def build(addr: str, rails: list[tuple[str, float]]) -> Path:
        iio = tmp_path / "sys/bus/i2c/devices" / addr / "iio:device0"
        for i, (name, mw) in enumerate(rails):
            write_atomic(iio / f"rail_name_{i}", f"{name}\n")
            write_atomic(iio / f"in_power{i}_input", f"{mw:g}\n")
            write_atomic(iio / f"in_voltage{i}_input", "5000\n")
            write_atomic(iio / f"in_current{i}_input", f"{mw / 5:g}\n")
        return iio

    return build
