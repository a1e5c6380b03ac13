"""The meter registry: built-ins and plugins alike come through the `harness.meters` group.

`auto` is not a meter but a choice among them: first any plugin meter whose class says it
`sees(device)` (a vendor's own counter is the most specific), then the built-ins that see the
device being timed, in AUTO_ORDER (CPU and other accelerators) or AUTO_ORDER_NVIDIA (an NVIDIA
GPU target), falling back to AUTO_FALLBACK, the clearly labelled estimate.
"""

from __future__ import annotations

from harness.core.errors import BackendUnavailable, unknown_name
from harness.core.registry import Registry
from harness.energy.base import EnergyMeter

METERS: Registry[EnergyMeter] = Registry("energy meter", EnergyMeter, group="harness.meters")
AUTO = "auto"
AUTO_ORDER = ("rapl", "jetson", "hwmon")  # for a target on the CPU or another accelerator
AUTO_ORDER_NVIDIA = ("nvml", "rapl", "jetson", "hwmon")  # for a target on an NVIDIA GPU
AUTO_FALLBACK = "estimated"
#: Every built-in meter auto may build, for some device.
AUTO_CANDIDATES = (*AUTO_ORDER_NVIDIA, AUTO_FALLBACK)
BUILTIN_PREFIX = "harness."


def plugin_meters() -> list[str]:
    """Return the registered meters that another package provides (not built in), sorted."""
    return [n for n in METERS.names() if not METERS.entry(n).target.startswith(BUILTIN_PREFIX)]


def auto_candidates() -> tuple[str, ...]:
    """Return every meter auto may build for some device: plugins first, then built-ins."""
    return (*plugin_meters(), *AUTO_CANDIDATES)


def meter_names() -> list[str]:
    """Return every valid `meter.name`: auto, then the registered meters, built-in and plugin."""
    return [AUTO, *METERS.names()]


def meter_class(name: str) -> type[EnergyMeter]:
    """Return the meter class registered as `name`; ConfigError listing the valid names."""
    if name != AUTO and ":" not in name and name not in METERS:
        raise unknown_name("meter", name, meter_names())
    return METERS.get(name)


def importable_candidates() -> tuple[dict[str, type[EnergyMeter]], list[str]]:
    """Return (auto's candidate classes that import here, names that cannot be imported)."""
    found: dict[str, type[EnergyMeter]] = {}
    missing = []
    for name in auto_candidates():
        try:
            found[name] = METERS.get(name)
        except BackendUnavailable:
            missing.append(name)
    return found, missing
