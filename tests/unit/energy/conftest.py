"""Fake sysfs trees for the energy meter tests (realistic layouts, written under tmp_path)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from tests.unit.energy import fake_sysfs
from tests.unit.energy.fake_sysfs import write_atomic


@pytest.fixture
def write() -> Callable[[Path, str], None]:
    """Return the atomic writer."""
    return write_atomic


@pytest.fixture
def rapl_zone(tmp_path: Path) -> Callable[..., Path]:
    """Return a builder for one powercap zone directory under tmp_path/sys/class/powercap."""
    return partial(fake_sysfs.rapl_zone, tmp_path / "sys")


@pytest.fixture
def ina3221_hwmon(tmp_path: Path) -> Callable[..., Path]:
    """Return a builder for a JetPack 5+ ina3221 hwmon device: rails as (label, mV, mA)."""
    return partial(fake_sysfs.ina3221_hwmon, tmp_path / "sys")


@pytest.fixture
def ina3221_iio(tmp_path: Path) -> Callable[..., Path]:
    """Return a builder for a JetPack 4 ina3221x iio device: rails as (name, mW)."""
    return partial(fake_sysfs.ina3221_iio, tmp_path / "sys")
