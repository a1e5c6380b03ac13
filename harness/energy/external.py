"""External power meter: a CSV export or a serial stream of timestamped watts.

The host window [t0, t1] (time.time(), s since the epoch) maps onto the meter's clock as
t_meter = t_host + clock_offset_s; the power trace is integrated trapezoidally over exactly
that span, interpolating at both edges, and a trace that does not cover it is an error.
CSV formats: see power_csv.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.core.errors import ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.core.ranges import Range, above, at_least, check_fields
from harness.energy.base import EnergyMeter, EnergyReading, Provenance
from harness.energy.power_csv import POWER_ALIASES, TIME_ALIASES, read_power_csv
from harness.energy.sampling import window_energy_j

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig

__all__ = ["POWER_ALIASES", "TIME_ALIASES", "ExternalMeter", "ExternalOptions", "read_power_csv"]
RANGES = {"csv_power_scale": above(0), "serial_baud": at_least(1),
          "accuracy_rel": Range(0, 1, hi_open=True)}


@dataclass
class ExternalOptions:
    """meter.options of meter=external: where the trace comes from and what it measures."""

    csv_path: str | None = None  # the meter's CSV export
    csv_time_column: str | None = None  # header of the time column; None: recognised alias
    csv_power_column: str | None = None  # header of the power column; None: recognised alias
    csv_power_scale: float = 1.0  # multiply the power column by this to get watts (mW: 0.001)
    serial_port: str | None = None  # serial device streaming watts, e.g. /dev/ttyUSB0
    serial_baud: int = 115200
    clock_offset_s: float = 0.0  # external meter clock minus host clock (time.time())
    scope: str = "whole device at the wall"  # what the meter is wired to
    accuracy_rel: float = 0.02  # the meter's stated relative accuracy

    def __post_init__(self) -> None:
        check_fields(self, "meter.options", RANGES)
        if not (self.csv_path or self.serial_port):
            raise ConfigError("meter=external needs a data source.",
                              "Set meter.options.csv_path=trace.csv or "
                              "meter.options.serial_port=/dev/ttyUSB0.")


class ExternalMeter(EnergyMeter):
    """Energy from an external meter's CSV file or serial stream, aligned to the run window."""

    name = "external"
    provenance = Provenance.MEASURED_EXTERNAL
    update_period_s = 0.01
    min_window_s = 0.5
    options_cls = ExternalOptions

    def __init__(
        self,
        csv_path: str | None = None,
        serial_port: str | None = None,
        clock_offset_s: float = 0.0,
        scope: str = "whole device at the wall",
        accuracy_rel: float = 0.02,
        time_column: str | None = None,
        power_column: str | None = None,
        power_scale: float = 1.0,
        serial_baud: int = 115200,
        clock: Callable[[], float] = time.time,
        open_stream: Callable[[], Any] | None = None,
    ) -> None:
        self.csv_path = Path(csv_path) if csv_path else None
        self.serial_port = serial_port
        self.clock_offset_s = clock_offset_s
        self.scope = scope
        self.accuracy_rel = accuracy_rel
        self._columns = (time_column, power_column, power_scale)
        self.serial_baud = serial_baud
        self._clock = clock
        self._open_stream = open_stream or self._open_serial
        self._stream_points: list[tuple[float, float]] = []
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: ExternalOptions) -> ExternalMeter:
        """Return the meter reading the options' CSV file or serial port."""
        return cls(csv_path=options.csv_path, serial_port=options.serial_port,
                   clock_offset_s=options.clock_offset_s, scope=options.scope,
                   accuracy_rel=options.accuracy_rel, time_column=options.csv_time_column,
                   power_column=options.csv_power_column, power_scale=options.csv_power_scale,
                   serial_baud=options.serial_baud)

    def probe(self) -> Probe:
        """Return availability: a CSV path that exists, or a serial port with pyserial."""
        if self.csv_path is not None:
            if self.csv_path.is_file():
                return Probe(True, f"external: CSV {self.csv_path}")
            return Probe(False, f"external: CSV {self.csv_path} not found")
        if self.serial_port:
            try:
                import serial  # noqa: F401
            except ImportError:
                return Probe(False, "external: pyserial not installed (pip install pyserial)")
            return Probe(True, f"external: serial {self.serial_port}")
        return Probe(False, "external: set meter.options.csv_path or meter.options.serial_port")

    def _open_serial(self) -> Any:
        import serial

        return serial.Serial(self.serial_port, self.serial_baud, timeout=0.1)

    def _read_stream(self, stream: Any) -> None:
        while not self._stop_event.is_set():
            line = stream.readline()
            fields = line.decode(errors="replace").strip().split(",") if line else []
            try:
                if len(fields) == 2:
                    self._stream_points.append((float(fields[0]), float(fields[1])))
                elif len(fields) == 1 and fields[0]:
                    power_w = float(fields[0])  # no timestamp: stamp on arrival, meter clock
                    self._stream_points.append((self._clock() + self.clock_offset_s, power_w))
            except ValueError:
                continue  # a torn or non-numeric line from the meter; the next one is whole

    def _start(self) -> None:
        self._t0_s = self._clock()
        if self.csv_path is None:
            self._stream_points = []
            self._stop_event.clear()
            self._stream = self._open_stream()
            self._thread = threading.Thread(
                target=self._read_stream, args=(self._stream,), name="serial-meter", daemon=True
            )
            self._thread.start()

    def _trace(self) -> tuple[list[float], list[float]]:
        if self.csv_path is not None:
            return read_power_csv(self.csv_path, *self._columns)
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join()
        points = sorted(self._stream_points)
        return [t for t, _ in points], [p for _, p in points]

    def _stop(self) -> list[EnergyReading]:
        t1_s = self._clock()
        times_s, power_w = self._trace()
        start_s, stop_s = self._t0_s + self.clock_offset_s, t1_s + self.clock_offset_s
        try:
            energy_j, trace = window_energy_j(times_s, power_w, start_s, stop_s)
        except MeasurementError as err:
            raise MeasurementError(f"External meter: {err.message}", err.hint) from err
        source = f"CSV {self.csv_path}" if self.csv_path else f"serial {self.serial_port}"
        return [
            EnergyReading(
                energy_j=energy_j,
                duration_s=t1_s - self._t0_s,
                scope=self.scope,
                domain="external",
                method=f"external meter ({source}), trapezoidal over the window",
                provenance=self.provenance.value,
                accuracy_rel=self.accuracy_rel,
                trace=trace,
            )
        ]
