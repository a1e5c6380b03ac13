"""NVIDIA Jetson on-module INA3221 power rails, sampled in a background thread.

Two sysfs layouts (both under a configurable root, default /sys):
- JetPack 5+ hwmon: /sys/bus/i2c/drivers/ina3221/<bus-addr>/hwmon/hwmon*/in<N>_label with
  in<N>_input (mV) and curr<N>_input (mA); power = mV * mA.
- JetPack 4 and older iio: /sys/bus/i2c/devices/<bus-addr>/iio:device*/rail_name_<N> with
  in_power<N>_input (mW) (driver ina3221x).

Rail layouts (NVIDIA Jetson Linux Developer Guide, "Software Features > Platform Power and
Performance > Power monitoring", per module):
- Orin NX / Orin Nano (hwmon, 1-0040): VDD_IN (module input), VDD_CPU_GPU_CV, VDD_SOC.
- AGX Orin (hwmon, 1-0040/1-0041): VDD_GPU_SOC, VDD_CPU_CV, VIN_SYS_5V0, VDDQ_VDD2_1V8AO
  (+ "NC" channels); no module-input rail.
  Both Orin layouts match NVIDIA's own upstream device trees ("arm64: tegra: Add
  power-sensors for Tegra234 boards", tegra234-p3767.dtsi and tegra234-p3701.dtsi, 2023),
  where AGX Orin's 0x41 channels 1 and 3 are disabled; the Xavier, TX2 and Nano names are
  from the guide only.
- Xavier NX (JetPack 4 iio, 7-0040): VDD_IN, VDD_SYS_GPU, VDD_SYS_CPU; on JetPack 5 hwmon:
  VDD_IN, VDD_CPU_GPU_CV, VDD_SOC.
- AGX Xavier (iio, 1-0040/1-0041): GPU, CPU, SOC, CV, VDDRQ, SYS5V; no module-input rail.
- TX2 (iio, 0-0040/0-0041): VDD_IN, VDD_SYS_CPU, VDD_SYS_DDR, VDD_SYS_GPU, VDD_SYS_SOC, ...
- Nano (iio, 6-0040): POM_5V_IN (module input), POM_5V_GPU, POM_5V_CPU.
Where a module-input rail (VDD_IN, POM_5V_IN) exists it is the total, scope "Jetson module,
carrier excluded", and every other rail is marked part_of it. Otherwise each rail is its own
total (distinct supplies) and the scope says the sum covers only the listed rails.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.core.probe import Probe
from harness.energy.sampling import SampledMeter, SensorReader

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig

TOTAL_RAILS = ("VDD_IN", "POM_5V_IN")
MODULE_SCOPE = "Jetson module, carrier excluded"
_UNCONNECTED = {"NC", "", "sum of shunt voltages"}


def _read_float(path: Path) -> float:
    return float(path.read_text().strip())


def _hwmon_rails(root: Path) -> dict[str, SensorReader]:
    rails: dict[str, SensorReader] = {}
    for label in sorted(root.glob("bus/i2c/drivers/ina3221*/*/hwmon/hwmon*/in*_label")):
        name = label.read_text().strip()
        index = label.name[2:].split("_")[0]
        volt, curr = label.parent / f"in{index}_input", label.parent / f"curr{index}_input"
        if name in _UNCONNECTED or not (volt.exists() and curr.exists()):
            continue
        rails[name] = lambda v=volt, c=curr: _read_float(v) * _read_float(c) / 1e6
    return rails


def _iio_rails(root: Path) -> dict[str, SensorReader]:
    rails: dict[str, SensorReader] = {}
    for label in sorted(root.glob("bus/i2c/devices/*/iio:device*/rail_name_*")):
        name = label.read_text().strip()
        index = label.name.rsplit("_", 1)[1]
        power = label.parent / f"in_power{index}_input"
        if name in _UNCONNECTED or not power.exists():
            continue
        rails[name] = lambda p=power: _read_float(p) / 1e3
    return rails


def discover_rails(root: Path) -> tuple[str, dict[str, SensorReader]]:
    """Return (layout "hwmon"/"iio"/"", rail name -> reader in watts) under a sysfs root."""
    rails = _hwmon_rails(root)
    if rails:
        return "hwmon", rails
    rails = _iio_rails(root)
    return ("iio", rails) if rails else ("", {})


class JetsonMeter(SampledMeter):
    """Jetson INA3221 rails: module-input rail as the total where the module has one."""

    name = "jetson"
    update_period_s = 0.05
    min_window_s = 1.0
    accuracy_rel = 0.05

    def __init__(self, sysfs_root: str | Path = "/sys", sample_period_s: float = 0.05) -> None:
        self.root = Path(sysfs_root)
        self.sample_period_s = sample_period_s
        self._rails: dict[str, SensorReader] = {}
        self.layout = ""

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: Any) -> JetsonMeter:
        """Return the meter on cfg.sysfs_root, sampled every cfg.sample_period_s (no options)."""
        return cls(cfg.sysfs_root, cfg.sample_period_s)

    def probe(self) -> Probe:
        """Return availability: INA3221 rails found under hwmon or iio."""
        try:
            self.layout, self._rails = discover_rails(self.root)
        except OSError as err:
            return Probe(False, f"Jetson: INA3221 sysfs unreadable ({err})")
        if not self._rails:
            where = self.root / "bus" / "i2c"
            return Probe(False, f"Jetson: no INA3221 rails under {where} (not a Jetson)")
        total = self.total_rail or "none (sum of listed rails)"
        return Probe(True, f"Jetson ({self.layout}): rails {', '.join(self._rails)}; total {total}")

    @property
    def total_rail(self) -> str:
        """Return the module-input rail name, or '' when this module has none."""
        return next((r for r in TOTAL_RAILS if r in self._rails), "")

    def _describe(self, rail: str) -> tuple[str, str]:
        total = self.total_rail
        if rail == total:
            return MODULE_SCOPE, ""
        if total:
            return f"Jetson rail {rail} (inside {total})", total
        return f"Jetson rail {rail} (module has no input rail; sum covers listed rails only)", ""

    def _sensors_w(self) -> dict[str, SensorReader]:
        if not self._rails:
            self.layout, self._rails = discover_rails(self.root)
        return self._rails

    def _method(self) -> str:
        return f"INA3221 {self.layout} rails, sampled every {self.sample_period_s} s"
