"""A snapshot of how quiet the machine is before a run: governor, clocks, heat, load."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import psutil

BUSY_PERCENT = 25.0


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _read_int(path: Path) -> int | None:
    text = _read(path)
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


def cpu_frequencies(sysfs_root: Path) -> list[dict[str, Any]]:
    """Return per-CPU governor and cur/min/max frequency (kHz), None where unreadable."""
    cpus = sorted((sysfs_root / "devices/system/cpu").glob("cpu[0-9]*"),
                  key=lambda p: int(p.name[3:]))
    out = []
    for cpu in cpus:
        freq = cpu / "cpufreq"
        out.append({"cpu": int(cpu.name[3:]), "governor": _read(freq / "scaling_governor"),
                    "cur_khz": _read_int(freq / "scaling_cur_freq"),
                    "min_khz": _read_int(freq / "scaling_min_freq"),
                    "max_khz": _read_int(freq / "scaling_max_freq")})
    return out


def throttle_counts(sysfs_root: Path) -> dict[str, int]:
    """Return summed thermal_throttle counters over CPUs (counts); empty when absent."""
    totals: dict[str, int] = {}
    for counter in (sysfs_root / "devices/system/cpu").glob("cpu[0-9]*/thermal_throttle/*"):
        value = _read_int(counter)
        if value is not None:
            totals[counter.name] = totals.get(counter.name, 0) + value
    return totals


def temperatures_c() -> dict[str, float]:
    """Return the current temperature of each sensor (deg C); empty where unsupported."""
    read = getattr(psutil, "sensors_temperatures", None)
    try:
        sensors = read() if read is not None else {}
    except OSError:
        return {}
    return {f"{chip}/{t.label or i}": float(t.current)
            for chip, temps in sensors.items() for i, t in enumerate(temps)}


def stability_snapshot(sysfs_root: str | Path = "/sys", interval_s: float = 0.2) -> dict[str, Any]:
    """Return governors, frequencies (kHz), temperatures (C), load, CPU % and warnings."""
    root = Path(sysfs_root)
    cpu_percent = float(psutil.cpu_percent(interval=interval_s))
    freqs = cpu_frequencies(root)
    governors = sorted({f["governor"] for f in freqs if f["governor"]})
    warnings = []
    if cpu_percent > BUSY_PERCENT:
        warnings.append(f"busy: {cpu_percent:.0f}% CPU used by other processes before the run;"
                        " close them or expect noisy numbers")
    if governors and governors != ["performance"]:
        warnings.append(f"governor is {','.join(governors)}, not performance: clocks may vary")
    throttles = throttle_counts(root)
    return {"governors": governors, "cpus": freqs, "temperatures_c": temperatures_c(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "cpu_percent": cpu_percent, "throttle_counts": throttles, "warnings": warnings}
