"""The energy meter contract: probe, begin/end bracketing the timing window, typed readings.

A meter reports one `EnergyReading` per domain it sees. Readings whose `part_of` is empty are
the disjoint top-level totals of the meter; a reading with `part_of` set lies inside (or may
overlap) that domain and must never be added to it (RAPL core inside package, a Jetson CPU rail
inside VDD_IN).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.energy.options import NoOptions, parse_options

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig


class Provenance(str, Enum):
    """How an energy number was obtained; an estimate is never shown as a measurement."""

    MEASURED_COUNTER = "measured-counter"
    MEASURED_SAMPLED = "measured-sampled"
    MEASURED_EXTERNAL = "measured-external"
    ESTIMATED = "estimated"


@dataclass(frozen=True)
class EnergyReading:
    """Energy of one domain over one window; plain types, so `dataclasses.asdict` is JSON-ready."""

    energy_j: float
    duration_s: float
    scope: str
    domain: str
    method: str
    provenance: str
    accuracy_rel: float
    part_of: str = ""
    trace: list[list[float]] = field(default_factory=list)

    @property
    def is_total(self) -> bool:
        """Return True when this reading is a top-level total (safe to add to other totals)."""
        return self.part_of == ""

    @property
    def average_power_w(self) -> float:
        """Return the mean power over the window in watts (0 for an empty window)."""
        return self.energy_j / self.duration_s if self.duration_s > 0 else 0.0


class MeterWindow:
    """Brackets a timed region with the meter; `.readings` holds the joules once it exits.

    A plain object (not a generator context manager), so code that enters it without keeping
    the `with` value, such as the scenario engines, can still read the readings afterwards."""

    def __init__(self, meter: EnergyMeter) -> None:
        self.meter = meter
        self.readings: list[EnergyReading] = []

    def __enter__(self) -> MeterWindow:
        self.meter.begin()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.readings = self.meter.end()
            return
        with contextlib.suppress(MeasurementError):  # the original error matters more
            self.meter.end()


class EnergyMeter(ABC):
    """Base class: subclasses implement `probe`, `_start` and `_stop`; `begin`/`end` are fixed.

    A meter built from config takes the common settings (a MeterConfig) and its own options
    (an instance of `options_cls`, parsed from `meter.options`) in `from_config`."""

    name: ClassVar[str] = "abstract"
    provenance: ClassVar[Provenance] = Provenance.ESTIMATED
    update_period_s: ClassVar[float] = 0.0
    min_window_s: ClassVar[float] = 0.0
    accuracy_rel: ClassVar[float] = 1.0
    options_cls: ClassVar[type] = NoOptions

    _active: bool = False

    @classmethod
    def sees(cls, device: str) -> bool:
        """Return whether this meter measures the target device `device` (e.g. "nimbus0"), so
        that meter=auto tries it before the built-ins; plugin meters override it."""
        return False

    @classmethod
    def parse_options(cls, raw: Any) -> Any:
        """Return the meter's options dataclass from `meter.options`; ConfigError if bad."""
        return parse_options(cls.name, cls.options_cls, raw)

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: Any) -> EnergyMeter:
        """Return the meter built from the common settings and its parsed options."""
        return cls()

    @abstractmethod
    def probe(self) -> Probe:
        """Return whether this meter can measure on this machine, with the reason and fix."""

    @abstractmethod
    def _start(self) -> None:
        """Take the opening reading (and start any sampler) for a window."""

    @abstractmethod
    def _stop(self) -> list[EnergyReading]:
        """Take the closing reading, stop any sampler, and return the window's readings."""

    def begin(self) -> None:
        """Open a measurement window; call immediately before the timed region."""
        if self._active:
            raise MeasurementError(
                f"Energy meter '{self.name}' was begun twice.", "Call end() before begin() again."
            )
        self._start()
        self._active = True

    def end(self) -> list[EnergyReading]:
        """Close the window opened by `begin` and return its readings (joules per domain)."""
        if not self._active:
            raise MeasurementError(
                f"Energy meter '{self.name}': end() called without begin().",
                "Bracket the timed region with begin() ... end(), or use `with meter.window():`.",
            )
        self._active = False
        return self._stop()

    def close(self) -> None:
        """Release resources (threads, handles); the meter may not be used afterwards."""
        if self._active:
            with contextlib.suppress(MeasurementError):
                self.end()

    def window(self) -> MeterWindow:
        """Return a context manager bracketing a timed region; its `.readings` fill on exit."""
        return MeterWindow(self)


class NullMeter(EnergyMeter):
    """The null object for meter=none: always available, never reports a reading."""

    name = "none"

    def probe(self) -> Probe:
        """Return available: the null meter needs nothing."""
        return Probe(True, "none: energy measurement disabled (meter=none)")

    def _start(self) -> None:
        return None

    def _stop(self) -> list[EnergyReading]:
        return []
