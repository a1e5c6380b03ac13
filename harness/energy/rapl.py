"""Intel/AMD RAPL energy counters read from the powercap sysfs tree (measured-counter).

Direct sysfs reader rather than `zeus.device.cpu.RAPLCPUs`: zeus hard-codes
/sys/class/powercap/intel-rapl (so a fake tree cannot drive it), exposes only package and DRAM
(no core, uncore or psys), and spawns one multiprocessing child per counter to catch wraps.
Here one daemon thread polls all counters often enough that at most one wrap can occur between
polls, and tests drive exactly this code through a fake tree in tmp_path.

Containment (Intel SDM vol. 3B, 15.10; kernel Documentation/power/powercap): core (PP0) and
uncore (PP1, usually the iGPU) lie inside their package; DRAM is *not* inside the package even
though sysfs lists it as a sub-zone; psys covers the whole SoC platform, packages and DRAM
included. intel-rapl-mmio zones are a second interface to the package counter and are skipped.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.energy.base import EnergyMeter, EnergyReading, Provenance

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig

RAPL_FIX = (
    "Fix: `sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj` "
    "(energy_uj is root-only since Linux 5.10, CVE-2020-8694), or run as root."
)
_ZONE_RE = re.compile(r"^intel-rapl:(\d+)(?::(\d+))?$")
_SCOPES = {
    "package": "CPU package",
    "core": "CPU cores (inside package)",
    "uncore": "CPU uncore / integrated GPU (inside package)",
    "dram": "DRAM",
    "psys": "platform (psys: packages, DRAM and more)",
}
_MAX_POWER_W = 2000.0  # a bound on power, used to poll before any counter can wrap twice


def read_text(path: Path) -> str:
    """Return a sysfs file's stripped text (the reader seam tests replace)."""
    return path.read_text().strip()


@dataclass(frozen=True)
class RaplZone:
    """One powercap zone: its energy_uj file, wrap range in µJ, and containment."""

    energy_path: Path
    domain: str
    scope: str
    part_of: str
    max_energy_range_uj: int


def discover_zones(root: Path, read: Callable[[Path], str] = read_text) -> list[RaplZone]:
    """Return the RAPL zones under a powercap root (e.g. /sys/class/powercap)."""
    found: list[tuple[str, str | None, Path, str]] = []
    for path in sorted(root.glob("intel-rapl:*")):
        match = _ZONE_RE.match(path.name)
        if match and (path / "energy_uj").exists():
            found.append((match.group(1), match.group(2), path, read(path / "name")))
    top_names = {pkg: name for pkg, sub, _, name in found if sub is None}
    has_psys = "psys" in top_names.values()
    zones = []
    for pkg, sub, path, name in found:
        kind = name.split("-")[0]
        if sub is None:
            domain, part_of = name, ("psys" if has_psys and kind != "psys" else "")
        else:
            parent = top_names.get(pkg, f"zone-{pkg}")
            domain = f"{parent}/{name}"
            inside_parent = kind != "dram"
            part_of = parent if inside_parent else ("psys" if has_psys else "")
        max_uj = int(read(path / "max_energy_range_uj"))
        zones.append(RaplZone(path / "energy_uj", domain, _SCOPES.get(kind, name), part_of, max_uj))
    return zones


class RaplMeter(EnergyMeter):
    """RAPL powercap counters: one reading per zone, overlapping zones marked, never summed."""

    name = "rapl"
    provenance = Provenance.MEASURED_COUNTER
    update_period_s = 0.001
    min_window_s = 0.1
    accuracy_rel = 0.05  # few-percent vs wall measurements since Haswell (Khan et al. 2018)

    def __init__(
        self,
        powercap_root: str | Path = "/sys/class/powercap",
        read: Callable[[Path], str] = read_text,
    ) -> None:
        self.root = Path(powercap_root)
        self._read = read
        self._zones: list[RaplZone] = []
        self._last_uj: dict[str, int] = {}
        self._total_uj: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: Any) -> RaplMeter:
        """Return the meter on <sysfs_root>/class/powercap (RAPL takes no options)."""
        return cls(Path(cfg.sysfs_root) / "class" / "powercap")

    def probe(self) -> Probe:
        """Return availability: powercap root present, zones found, energy_uj readable."""
        if not self.root.is_dir():
            return Probe(False, f"RAPL: {self.root} not present (no powercap RAPL driver here)")
        try:
            zones = discover_zones(self.root, self._read)
            for zone in zones:
                int(self._read(zone.energy_path))
        except PermissionError as err:
            return Probe(False, f"RAPL: permission denied reading {err.filename}. {RAPL_FIX}")
        except (OSError, ValueError) as err:
            return Probe(False, f"RAPL: unreadable powercap tree under {self.root} ({err})")
        if not zones:
            return Probe(False, f"RAPL: no intel-rapl zones under {self.root}")
        return Probe(True, f"RAPL: {', '.join(z.domain for z in zones)}")

    def _poll(self) -> None:
        with self._lock:
            for zone in self._zones:
                now_uj = int(self._read(zone.energy_path))
                delta_uj = now_uj - self._last_uj[zone.domain]
                if delta_uj < 0:  # wrapped once: counter restarts at 0 after max_energy_range_uj
                    delta_uj += zone.max_energy_range_uj
                self._total_uj[zone.domain] += delta_uj
                self._last_uj[zone.domain] = now_uj

    def _poll_period_s(self) -> float:
        shortest_j = min(z.max_energy_range_uj for z in self._zones) / 1e6
        return min(1.0, shortest_j / _MAX_POWER_W)

    def _loop(self) -> None:
        period_s = self._poll_period_s()
        while not self._stop_event.wait(period_s):
            self._poll()

    def _start(self) -> None:
        try:
            self._zones = discover_zones(self.root, self._read)
            self._last_uj = {z.domain: int(self._read(z.energy_path)) for z in self._zones}
        except PermissionError as err:
            raise MeasurementError(
                f"RAPL: permission denied reading {err.filename}.", RAPL_FIX
            ) from err
        self._t0_s = time.perf_counter()
        self._total_uj = dict.fromkeys(self._last_uj, 0)
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._loop, name="rapl-wrap-poller", daemon=True)
        self._thread.start()

    def _stop(self) -> list[EnergyReading]:
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join()
        self._poll()
        duration_s = time.perf_counter() - self._t0_s
        return [
            EnergyReading(
                energy_j=self._total_uj[z.domain] / 1e6,
                duration_s=duration_s,
                scope=z.scope,
                domain=z.domain,
                method="RAPL powercap counter",
                provenance=self.provenance.value,
                accuracy_rel=self.accuracy_rel,
                part_of=z.part_of,
            )
            for z in self._zones
        ]
