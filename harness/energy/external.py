"""External power meter: a CSV export or a serial stream of timestamped watts.

The host window [t0, t1] (time.time(), s since the epoch) maps onto the meter's clock as
t_meter = t_host + clock_offset_s; the power trace is integrated trapezoidally over exactly
that span, interpolating at both edges, and a trace that does not cover it is an error.
CSV headers: `timestamp_s,power_w`, or Joulescope (`#time,current,voltage,power`) / Otii
(`Time [s],Main Power [W]`) style exports, recognised by alias or named via time_column /
power_column; `power_scale` converts e.g. mW to W.
"""

from __future__ import annotations

import csv
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.energy.base import EnergyMeter, EnergyReading, Provenance
from harness.energy.sampling import window_energy_j

TIME_ALIASES = ("timestamp_s", "time_s", "time", "timestamp", "time [s]", "timestamp (s)")
POWER_ALIASES = ("power_w", "power", "main power [w]", "power [w]", "power (w)")


def _norm(header: str) -> str:
    return header.strip().lstrip("#").strip().lower()


def _pick(headers: list[str], wanted: str | None, aliases: tuple[str, ...], what: str) -> str:
    names = {_norm(h): h for h in headers}
    for alias in (wanted.lower(),) if wanted else aliases:
        if _norm(alias) in names:
            return names[_norm(alias)]
    raise ConfigError(
        f"External CSV has no {what} column (headers: {', '.join(headers)}).",
        f"Set meter.csv_{what}_column to one of the headers.",
    )


def _number(path: Path, line: int, column: str, text: str | None) -> float:
    """Return the finite number in one CSV cell; ConfigError naming the row otherwise."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError(
            f"External CSV {path}, line {line}: column '{column}' holds "
            f"{'nothing' if text is None else repr(text)}, not a finite "
            "number.", "Fix or delete that row (every row needs a time in s and a power), or "
            "point meter.csv_time_column / meter.csv_power_column at the numeric columns.")
    return value


def read_power_csv(
    path: Path,
    time_column: str | None = None,
    power_column: str | None = None,
    power_scale: float = 1.0,
) -> tuple[list[float], list[float]]:
    """Return (timestamps in s, power in W) from a CSV export; ConfigError naming a bad row."""
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle)
        headers = list(rows.fieldnames or [])
        if not headers:
            raise ConfigError(f"External CSV {path} is empty (no header row).",
                              "Export the meter's trace with a header, e.g. "
                              "'timestamp_s,power_w', and set meter.csv_path to it.")
        t_col = _pick(headers, time_column, TIME_ALIASES, "time")
        p_col = _pick(headers, power_column, POWER_ALIASES, "power")
        pairs = [(_number(path, rows.line_num, t_col, r[t_col]),
                  _number(path, rows.line_num, p_col, r[p_col]) * power_scale)
                 for r in rows if r[t_col]]
    pairs.sort()
    return [t for t, _ in pairs], [p for _, p in pairs]


class ExternalMeter(EnergyMeter):
    """Energy from an external meter's CSV file or serial stream, aligned to the run window."""

    name = "external"
    provenance = Provenance.MEASURED_EXTERNAL
    update_period_s = 0.01
    min_window_s = 0.5

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
        return Probe(False, "external: set meter.csv_path or meter.serial_port")

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
