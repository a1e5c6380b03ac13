"""Meter factory: build the named meter, or for name=auto the first one that probes available.

Explicitly named and unavailable -> BackendUnavailable with the probe's reason and fix (fail
loudly when asked for). auto -> try the meters that see the device being timed, and fall back to
the estimated model, returning every probe's reason (degrade quietly, but say why): for a CPU
target RAPL, Jetson, hwmon (NVML's GPU board power says nothing about the CPU's work); for an
NVIDIA GPU target NVML first, then the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from harness.core.errors import BackendUnavailable, unknown_name
from harness.energy.base import EnergyMeter, NullMeter
from harness.energy.config import MeterConfig

AUTO_ORDER = ("rapl", "jetson", "hwmon")  # for a target on the CPU or another accelerator
AUTO_ORDER_NVIDIA = ("nvml", "rapl", "jetson", "hwmon")  # for a target on an NVIDIA GPU
_LABELS = {"rapl": "RAPL", "nvml": "NVML", "jetson": "Jetson", "hwmon": "hwmon"}


def _rapl(cfg: MeterConfig) -> EnergyMeter:
    from harness.energy.rapl import RaplMeter

    return RaplMeter(Path(cfg.sysfs_root) / "class" / "powercap")


def _nvml(cfg: MeterConfig) -> EnergyMeter:
    from harness.energy.nvml import NvmlMeter

    return NvmlMeter(cfg.gpu_index, cfg.sample_period_s)


def _jetson(cfg: MeterConfig) -> EnergyMeter:
    from harness.energy.jetson import JetsonMeter

    return JetsonMeter(cfg.sysfs_root, cfg.sample_period_s)


def _hwmon(cfg: MeterConfig) -> EnergyMeter:
    from harness.energy.hwmon import HwmonMeter

    return HwmonMeter(
        Path(cfg.sysfs_root) / "class" / "hwmon", cfg.hwmon_sensor, cfg.sample_period_s
    )


def _external(cfg: MeterConfig) -> EnergyMeter:
    from harness.energy.external import ExternalMeter

    return ExternalMeter(
        csv_path=cfg.csv_path,
        serial_port=cfg.serial_port,
        clock_offset_s=cfg.clock_offset_s,
        scope=cfg.external_scope,
        accuracy_rel=cfg.external_accuracy_rel,
        time_column=cfg.csv_time_column,
        power_column=cfg.csv_power_column,
        power_scale=cfg.csv_power_scale,
        serial_baud=cfg.serial_baud,
    )


def _estimated(cfg: MeterConfig) -> EnergyMeter:
    from harness.energy.estimated import EstimatedMeter

    return EstimatedMeter(
        idle_w=cfg.estimated_idle_w,
        active_w=cfg.estimated_active_w,
        tdp_w=cfg.estimated_tdp_w,
        utilisation=cfg.estimated_utilisation,
    )


BUILDERS: dict[str, Callable[[MeterConfig], EnergyMeter]] = {
    "none": lambda _cfg: NullMeter(),
    "rapl": _rapl,
    "nvml": _nvml,
    "jetson": _jetson,
    "hwmon": _hwmon,
    "external": _external,
    "estimated": _estimated,
}


def on_nvidia_gpu(device: str) -> bool:
    """Return whether a target device string names an NVIDIA GPU ("cuda", "cuda:0")."""
    return device.lower().split(":")[0] == "cuda"


def create_meter(cfg: MeterConfig | Mapping[str, Any],
                 device: str = "cpu") -> tuple[EnergyMeter, str]:
    """Return (meter, reason it was chosen); raise BackendUnavailable for a named missing meter.

    device is the target's device: auto only picks a meter that sees it."""
    if not isinstance(cfg, MeterConfig):
        cfg = MeterConfig.from_mapping(cfg)
    cfg.validate()
    if cfg.name == "auto":
        return _auto(cfg, AUTO_ORDER_NVIDIA if on_nvidia_gpu(device) else AUTO_ORDER)
    if cfg.name not in BUILDERS:
        raise unknown_name("meter", cfg.name, [*BUILDERS, "auto"])
    meter = BUILDERS[cfg.name](cfg)
    probe = meter.probe()
    if not probe.available:
        raise BackendUnavailable(
            f"Energy meter '{cfg.name}' was requested but is unavailable: {probe.reason}.",
            "Fix the cause above, or use meter=auto (falls back to an estimate) or meter=none.",
        )
    return meter, probe.reason


def _auto(cfg: MeterConfig, order: tuple[str, ...]) -> tuple[EnergyMeter, str]:
    reasons = []
    for name in order:
        meter = BUILDERS[name](cfg)
        probe = meter.probe()
        if probe.available:
            reasons.append(f"chose {name} ({probe.reason})")
            return meter, "; ".join(reasons)
        label = _LABELS[name]
        reason = probe.reason
        reasons.append(reason if reason.startswith(f"{label}:") else f"{label}: {reason}")
    if "nvml" not in order:
        reasons.append("NVML: not tried (the target is not on an NVIDIA GPU)")
    reasons.append("chose estimated")
    return BUILDERS["estimated"](cfg), "; ".join(reasons)
