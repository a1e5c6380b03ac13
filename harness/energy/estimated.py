"""Estimated energy from a power model and CPU utilisation (psutil); never a measurement.

power_w = idle_w + (active_w - idle_w) * utilisation, utilisation measured over the window
from psutil CPU times: "system" (all CPUs busy fraction), "process" (this process and its
waited-for children, as a fraction of all logical CPUs) or "process_tree" (this process and
its live descendants, e.g. a server and the workers it started; CPU time of a descendant that
exits inside the window is lost). With tdp_w set, active_w = tdp_w and
idle_w = tdp_fraction_idle * tdp_w. Defaults (10 W idle, 65 W active: a mid-range desktop CPU
package) are rough; set them for your device. Stated accuracy +/-50 %.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psutil

from harness.core.errors import ConfigError
from harness.core.probe import Probe
from harness.core.ranges import Range, above, at_least, check_fields
from harness.energy.base import EnergyMeter, EnergyReading, Provenance

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig

UTILISATION_SOURCES = ("system", "process", "process_tree")
RANGES = {"idle_w": at_least(0), "active_w": at_least(0),
          "tdp_w": above(0, "the idle/active model"), "tdp_fraction_idle": Range(0, 1)}


def check_model(idle_w: float, active_w: float, tdp_w: float | None, utilisation: str) -> None:
    """Raise ConfigError unless the power model is coherent (0 <= idle <= active, known source)."""
    if utilisation not in UTILISATION_SOURCES:
        raise ConfigError(
            f"meter.options.utilisation '{utilisation}' is unknown.",
            f"Use one of: {', '.join(UTILISATION_SOURCES)}.",
        )
    if tdp_w is None and not 0 <= idle_w <= active_w:
        raise ConfigError(
            f"Estimated power model needs 0 <= idle_w <= active_w (got {idle_w}, {active_w}).",
            "Set meter.options.idle_w and meter.options.active_w.",
        )


@dataclass
class EstimatedOptions:
    """meter.options of meter=estimated (and of auto's fallback); rough defaults, set yours."""

    idle_w: float = 10.0  # rough default: mid-range desktop CPU package at idle
    active_w: float = 65.0  # rough default: the same package fully busy
    tdp_w: float | None = None  # set to model from TDP instead of idle/active
    tdp_fraction_idle: float = 0.15  # with tdp_w: idle power as a fraction of it
    utilisation: str = "system"  # "system", "process" or "process_tree" CPU utilisation

    def __post_init__(self) -> None:
        check_fields(self, "meter.options", RANGES)
        check_model(self.idle_w, self.active_w, self.tdp_w, self.utilisation)


def _busy_s(times: Any) -> float:
    """Return busy CPU seconds in a psutil cpu_times tuple (total minus idle and iowait)."""
    fields = times._asdict()
    return sum(fields.values()) - fields.get("idle", 0.0) - fields.get("iowait", 0.0)


def _tree_busy_s(process: psutil.Process) -> float:
    """Return a live process's own busy CPU seconds (0 when it has exited meanwhile)."""
    try:
        t = process.cpu_times()
    except psutil.Error:
        return 0.0
    return t.user + t.system


class EstimatedMeter(EnergyMeter):
    """Linear CPU-utilisation power model; every reading is provenance=estimated."""

    name = "estimated"
    provenance = Provenance.ESTIMATED
    update_period_s = 0.01  # psutil CPU times tick at USER_HZ (100 Hz)
    min_window_s = 1.0
    accuracy_rel = 0.5
    options_cls = EstimatedOptions

    def __init__(
        self,
        idle_w: float = 10.0,
        active_w: float = 65.0,
        tdp_w: float | None = None,
        tdp_fraction_idle: float = 0.15,
        utilisation: str = "system",
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if tdp_w is not None:
            idle_w, active_w = tdp_fraction_idle * tdp_w, tdp_w
        check_model(idle_w, active_w, None, utilisation)
        self.idle_w, self.active_w, self.tdp_w = idle_w, active_w, tdp_w
        self.utilisation = utilisation
        self._clock = clock
        self._process = psutil.Process()

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: EstimatedOptions) -> EstimatedMeter:
        """Return the power model the options describe (common settings are not used)."""
        return cls(options.idle_w, options.active_w, options.tdp_w, options.tdp_fraction_idle,
                   options.utilisation)

    def probe(self) -> Probe:
        """Return available: the model needs only psutil."""
        return Probe(True, f"estimated: {self.describe_model()}")

    def describe_model(self) -> str:
        """Return the model in words, as used in the reading's scope."""
        basis = f"TDP {self.tdp_w} W" if self.tdp_w is not None else "configured"
        return (
            f"modelled CPU power, not measured: {self.idle_w:g} W idle + "
            f"({self.active_w:g} - {self.idle_w:g}) W x {self.utilisation} CPU utilisation "
            f"({basis}; rough defaults)"
        )

    def _busy_now_s(self) -> float:
        if self.utilisation == "system":
            return _busy_s(psutil.cpu_times())
        t = self._process.cpu_times()
        busy = t.user + t.system + t.children_user + t.children_system
        if self.utilisation == "process_tree":
            busy += sum(_tree_busy_s(c) for c in self._process.children(recursive=True))
        return busy

    def _start(self) -> None:
        self._t0_s = self._clock()
        self._busy0_s = self._busy_now_s()

    def utilisation_fraction(self, busy_s: float, duration_s: float) -> float:
        """Return the CPU utilisation in [0, 1] for busy CPU-seconds over a wall duration."""
        if duration_s <= 0:
            return 0.0
        total_s = duration_s * (psutil.cpu_count() or 1)  # both sources count all CPUs
        return min(1.0, max(0.0, busy_s / total_s))

    def _stop(self) -> list[EnergyReading]:
        duration_s = self._clock() - self._t0_s
        util = self.utilisation_fraction(self._busy_now_s() - self._busy0_s, duration_s)
        power_w = self.idle_w + (self.active_w - self.idle_w) * util
        return [
            EnergyReading(
                energy_j=power_w * duration_s,
                duration_s=duration_s,
                scope=self.describe_model(),
                domain="cpu-model",
                method=f"power model x psutil {self.utilisation} CPU utilisation ({util:.2f})",
                provenance=Provenance.ESTIMATED.value,
                accuracy_rel=self.accuracy_rel,
            )
        ]
