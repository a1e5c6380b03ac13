"""MeterConfig: the `meter` config group, a Hydra/OmegaConf structured-config dataclass.

Common settings are fields; each meter's own settings go in `options`, checked against that
meter's `options_cls` (`meter=estimated meter.options.idle_w=12`). With name=auto each option
key must belong to at least one meter auto may try, and goes to the ones it belongs to
(`meter=auto meter.options.idle_w=12` tunes the estimated fallback). Everything is checked in
`__post_init__`, i.e. while the config is composed, before any work; a meter whose module
cannot be imported here is checked when the run builds it (and the run is skipped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from harness.core.errors import BackendUnavailable, ConfigError, did_you_mean
from harness.core.ranges import above, at_least, check_fields
from harness.energy.options import PREFIX, option_keys
from harness.energy.registry import AUTO, auto_candidates, importable_candidates, meter_class

#: Valid ranges of the common numeric fields (every float must also be finite).
RANGES = {"idle_baseline_s": at_least(0), "sample_period_s": above(0)}


@dataclass
class MeterConfig:
    """Which energy meter to use, the settings all meters share, and the meter's own options."""

    name: str = AUTO  # a registered meter (see meter_names()) or auto
    idle_baseline_s: float = 1.0  # idle power measured for this long before the run; 0 disables
    sysfs_root: str = "/sys"  # root of the sysfs tree (powercap, hwmon, i2c live below it)
    sample_period_s: float = 0.05  # polling period of the sampled meters
    options: dict[str, Any] = field(default_factory=dict)  # the meter's options_cls fields

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ConfigError when a value is out of range, or a name or option is unknown."""
        check_fields(self, "meter", RANGES)
        for name, subset in self._split().items():
            try:
                meter_class(name).parse_options(subset)
            except BackendUnavailable:
                continue  # not importable here: checked when the run builds it

    def _split(self) -> dict[str, dict[str, Any]]:
        """Return meter name -> the options it takes (auto: each key to every taker)."""
        options = dict(self.options or {})
        if self.name != AUTO:
            try:
                meter_class(self.name)
            except BackendUnavailable:
                return {}
            return {self.name: options}
        found, missing = importable_candidates()
        takers = {name: set(option_keys(cls.options_cls)) for name, cls in found.items()}
        for key in options:
            if not missing and not any(key in keys for keys in takers.values()):
                valid = sorted(set().union(*takers.values()))
                raise ConfigError(
                    f"{PREFIX}.{key} is not an option of any meter auto may try "
                    f"({', '.join(auto_candidates())}).{did_you_mean(key, valid)}",
                    f"Valid {PREFIX} keys with meter=auto: {', '.join(valid)}; or name the "
                    "meter (meter=<name>) whose option it is.")
        return {name: {k: v for k, v in options.items() if k in keys}
                for name, keys in takers.items()}

    def options_for(self, name: str) -> dict[str, Any]:
        """Return the raw options meter `name` takes from this config (a subset under auto)."""
        if self.name != AUTO:
            return dict(self.options or {})
        keys = set(option_keys(meter_class(name).options_cls))
        return {k: v for k, v in (self.options or {}).items() if k in keys}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> MeterConfig:
        """Return a MeterConfig from a plain mapping or DictConfig, rejecting unknown keys."""
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(
                f"meter.{unknown[0]} is not a meter setting.{did_you_mean(unknown[0], known)}",
                f"Settings: {', '.join(known)}; a meter's own settings go under {PREFIX} "
                f"(e.g. meter=estimated {PREFIX}.idle_w=12).")
        return cls(**{k: values[k] for k in values})
