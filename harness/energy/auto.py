"""Meter factory: build the named meter, or for name=auto the first one that probes available.

Explicitly named and unavailable -> BackendUnavailable with the probe's reason and fix (fail
loudly when asked for). auto -> try the meters that see the device being timed, and fall back to
the estimated model, returning every probe's reason (degrade quietly, but say why): for a CPU
target RAPL, Jetson, hwmon (NVML's GPU board power says nothing about the CPU's work); for an
NVIDIA GPU target NVML first, then the same. Meters come from the registry (harness.meters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.core.errors import BackendUnavailable
from harness.energy.base import EnergyMeter
from harness.energy.config import MeterConfig
from harness.energy.registry import (
    AUTO,
    AUTO_FALLBACK,
    AUTO_ORDER,
    AUTO_ORDER_NVIDIA,
    METERS,
    plugin_meters,
)

_LABELS = {"rapl": "RAPL", "nvml": "NVML", "jetson": "Jetson", "hwmon": "hwmon"}


def on_nvidia_gpu(device: str) -> bool:
    """Return whether a target device string names an NVIDIA GPU ("cuda", "cuda:0")."""
    return device.lower().split(":")[0] == "cuda"


def build_meter(name: str, cfg: MeterConfig) -> EnergyMeter:
    """Return the registered meter `name` built from cfg's common settings and its options."""
    cls = METERS.get(name)
    return cls.from_config(cfg, cls.parse_options(cfg.options_for(name)))


def create_meter(cfg: MeterConfig | Mapping[str, Any],
                 device: str = "cpu") -> tuple[EnergyMeter, str]:
    """Return (meter, reason it was chosen); raise BackendUnavailable for a named missing meter.

    device is the target's device: auto only picks a meter that sees it."""
    if not isinstance(cfg, MeterConfig):
        cfg = MeterConfig.from_mapping(cfg)
    cfg.validate()
    if cfg.name == AUTO:
        builtins = AUTO_ORDER_NVIDIA if on_nvidia_gpu(device) else AUTO_ORDER
        return _auto(cfg, (*_plugins_seeing(device), *builtins))
    meter = build_meter(cfg.name, cfg)
    probe = meter.probe()
    if not probe.available:
        raise BackendUnavailable(
            f"Energy meter '{cfg.name}' was requested but is unavailable: {probe.reason}.",
            "Fix the cause above, or use meter=auto (falls back to an estimate) or meter=none.",
        )
    return meter, probe.reason


def _plugins_seeing(device: str) -> list[str]:
    """Return the plugin meters that say they see `device` (unimportable ones are left out)."""
    seeing = []
    for name in plugin_meters():
        try:
            if METERS.get(name).sees(device):
                seeing.append(name)
        except BackendUnavailable:
            continue
    return seeing


def _auto(cfg: MeterConfig, order: tuple[str, ...]) -> tuple[EnergyMeter, str]:
    reasons = []
    for name in order:
        try:
            meter = build_meter(name, cfg)
        except BackendUnavailable as err:
            reasons.append(f"{_LABELS.get(name, name)}: {err.message}")
            continue
        probe = meter.probe()
        if probe.available:
            reasons.append(f"chose {name} ({probe.reason})")
            return meter, "; ".join(reasons)
        label = _LABELS.get(name, name)
        reason = probe.reason
        reasons.append(reason if reason.startswith(f"{label}:") else f"{label}: {reason}")
    if "nvml" not in order:
        reasons.append("NVML: not tried (the target is not on an NVIDIA GPU)")
    reasons.append(f"chose {AUTO_FALLBACK}")
    return build_meter(AUTO_FALLBACK, cfg), "; ".join(reasons)
