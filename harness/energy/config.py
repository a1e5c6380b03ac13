"""MeterConfig: the `meter` config group, a Hydra/OmegaConf structured-config dataclass.

Only str/int/float/bool/Optional fields, so `OmegaConf.structured(MeterConfig)` works.
Validation lives here (`validate`), run by `__post_init__` and again by `create_meter`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from harness.core.errors import ConfigError, unknown_name
from harness.core.ranges import Range, above, at_least, check_fields

METER_NAMES = ("auto", "none", "rapl", "nvml", "jetson", "hwmon", "external", "estimated")
#: Valid ranges of the numeric fields (every float must also be finite): harness/core/ranges.py.
RANGES = {
    "idle_baseline_s": at_least(0), "sample_period_s": above(0), "gpu_index": at_least(0),
    "csv_power_scale": above(0), "serial_baud": at_least(1),
    "external_accuracy_rel": Range(0, 1, hi_open=True), "estimated_idle_w": at_least(0),
    "estimated_active_w": at_least(0), "estimated_tdp_w": above(0, "the idle/active model"),
}


@dataclass
class MeterConfig:
    """Which energy meter to use and its settings; units are in the field names."""

    name: str = "auto"  # one of METER_NAMES; auto tries rapl, nvml, jetson, hwmon, estimated
    idle_baseline_s: float = 1.0  # idle power measured for this long before the run; 0 disables
    sysfs_root: str = "/sys"  # root of the sysfs tree (powercap, hwmon, i2c live below it)
    sample_period_s: float = 0.05  # polling period of the sampled meters
    gpu_index: int = 0  # NVML device index (after CUDA_VISIBLE_DEVICES)
    hwmon_sensor: str | None = None  # "<chip>/<label>" reported as the total; None: first
    csv_path: str | None = None  # external meter CSV export
    csv_time_column: str | None = None  # header of the time column; None: recognised alias
    csv_power_column: str | None = None  # header of the power column; None: recognised alias
    csv_power_scale: float = 1.0  # multiply the power column by this to get watts (mW: 0.001)
    serial_port: str | None = None  # external meter serial device, e.g. /dev/ttyUSB0
    serial_baud: int = 115200
    clock_offset_s: float = 0.0  # external meter clock minus host clock (time.time())
    external_scope: str = "whole device at the wall"  # what the external meter is wired to
    external_accuracy_rel: float = 0.02  # the external meter's stated relative accuracy
    estimated_idle_w: float = 10.0  # rough default: mid-range desktop CPU package at idle
    estimated_active_w: float = 65.0  # rough default: the same package fully busy
    estimated_tdp_w: float | None = None  # set to model from TDP instead of idle/active
    estimated_utilisation: str = "system"  # "system" or "process" CPU utilisation

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ConfigError when a value is out of range or a name is unknown."""
        if self.name not in METER_NAMES:
            raise unknown_name("meter", self.name, METER_NAMES)
        check_fields(self, "meter", RANGES)
        if self.estimated_utilisation not in ("system", "process"):
            raise ConfigError(
                f"meter.estimated_utilisation '{self.estimated_utilisation}' is unknown.",
                "Use 'system' or 'process'.",
            )
        if self.name == "external" and not (self.csv_path or self.serial_port):
            raise ConfigError(
                "meter=external needs a data source.", "Set meter.csv_path or meter.serial_port."
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> MeterConfig:
        """Return a MeterConfig from a plain mapping or DictConfig, rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise unknown_name("meter option", unknown[0], known)
        return cls(**{k: values[k] for k in values})
