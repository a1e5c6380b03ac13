"""Generic hwmon power sensors (INA219/INA226/INA260 boards, ACPI power meters), sampled.

hwmon ABI (kernel Documentation/hwmon/sysfs-interface): power<N>_input / power<N>_average in
µW; in<N>_input in mV; curr<N>_input in mA. A sensor with a power file is read directly; one
with only curr<N> and in<N> is read as their product (INA2xx drivers number the bus voltage
in1 and current curr1). What a sensor measures depends on how the board is wired, so the scope
names the sensor and says so. Jetson INA3221 devices are left to the jetson meter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.core.probe import Probe
from harness.energy.sampling import SampledMeter, SensorReader

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig

_SKIP_DRIVERS = {"ina3221"}


def _read_float(path: Path) -> float:
    return float(path.read_text().strip())


def _label(directory: Path, stem: str) -> str:
    label = directory / f"{stem}_label"
    return label.read_text().strip() if label.exists() else stem


def discover_sensors(hwmon_root: Path) -> dict[str, SensorReader]:
    """Return "<chip>/<label>" -> reader in watts for every hwmon power sensor under the root."""
    sensors: dict[str, SensorReader] = {}
    for chip in sorted(hwmon_root.glob("hwmon*")):
        name_file = chip / "name"
        chip_name = name_file.read_text().strip() if name_file.exists() else chip.name
        if chip_name in _SKIP_DRIVERS:
            continue
        indices = set()
        powers = sorted(chip.glob("power*_input")) + sorted(chip.glob("power*_average"))
        for power in powers:
            match = re.fullmatch(r"power(\d+)_(input|average)", power.name)
            if match and match.group(1) not in indices:
                indices.add(match.group(1))
                key = f"{chip_name}/{_label(chip, f'power{match.group(1)}')}"
                sensors[key] = lambda p=power: _read_float(p) / 1e6
        for curr in sorted(chip.glob("curr*_input")):
            index = curr.name[4:].split("_")[0]
            volt = chip / f"in{index}_input"
            if index in indices or not volt.exists():
                continue
            key = f"{chip_name}/{_label(chip, f'curr{index}')}"
            sensors[key] = lambda v=volt, c=curr: _read_float(v) * _read_float(c) / 1e6
    return sensors


@dataclass
class HwmonOptions:
    """meter.options of meter=hwmon."""

    sensor: str | None = None  # "<chip>/<label>" reported as the total (ina226/power1); None: first


class HwmonMeter(SampledMeter):
    """Sampled hwmon power sensors; the chosen (or first) sensor is the total."""

    name = "hwmon"
    update_period_s = 0.05
    min_window_s = 1.0
    accuracy_rel = 0.05
    options_cls = HwmonOptions

    def __init__(
        self,
        hwmon_root: str | Path = "/sys/class/hwmon",
        sensor: str | None = None,
        sample_period_s: float = 0.05,
    ) -> None:
        self.root = Path(hwmon_root)
        self.sensor = sensor
        self.sample_period_s = sample_period_s
        self._sensors: dict[str, SensorReader] = {}

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: HwmonOptions) -> HwmonMeter:
        """Return the meter on <sysfs_root>/class/hwmon, sampled every cfg.sample_period_s."""
        return cls(Path(cfg.sysfs_root) / "class" / "hwmon", options.sensor, cfg.sample_period_s)

    def probe(self) -> Probe:
        """Return availability: at least one power sensor (and the configured one) present."""
        try:
            self._sensors = discover_sensors(self.root)
        except OSError as err:
            return Probe(False, f"hwmon: sensors unreadable under {self.root} ({err})")
        if not self._sensors:
            return Probe(False, f"hwmon: no power sensors under {self.root}")
        if self.sensor and self.sensor not in self._sensors:
            have = ", ".join(self._sensors)
            return Probe(False, f"hwmon: sensor '{self.sensor}' not found; have {have}")
        return Probe(True, f"hwmon: {', '.join(self._sensors)}; total {self.total_sensor}")

    @property
    def total_sensor(self) -> str:
        """Return the sensor reported as the total: the configured one, else the first found."""
        return self.sensor or next(iter(self._sensors), "")

    def _describe(self, key: str) -> tuple[str, str]:
        scope = f"hwmon sensor {key} (whatever rail it is wired to)"
        # Other sensors may overlap the total (unknown wiring), so they are never summed.
        return scope, "" if key == self.total_sensor else self.total_sensor

    def _sensors_w(self) -> dict[str, SensorReader]:
        if not self._sensors:
            self._sensors = discover_sensors(self.root)
        return self._sensors

    def _method(self) -> str:
        return f"hwmon power sensor, sampled every {self.sample_period_s} s"
