"""Background power sampling and trapezoidal integration shared by the sampled meters."""

from __future__ import annotations

import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Sequence

from harness.core.errors import MeasurementError
from harness.energy.base import EnergyMeter, EnergyReading, Provenance

PowerReader = Callable[[], dict[str, float]]
#: One sensor's reader: its power now, in watts.
SensorReader = Callable[[], float]


def trapezoid_j(times_s: Sequence[float], power_w: Sequence[float]) -> float:
    """Return the trapezoidal integral of power over time in joules."""
    energy_j = 0.0
    for i in range(1, len(times_s)):
        energy_j += 0.5 * (power_w[i] + power_w[i - 1]) * (times_s[i] - times_s[i - 1])
    return energy_j


def interpolate_w(times_s: Sequence[float], power_w: Sequence[float], t_s: float) -> float:
    """Return power in watts at `t_s` by linear interpolation (times must bracket `t_s`)."""
    for i in range(1, len(times_s)):
        if times_s[i] >= t_s:
            span_s = times_s[i] - times_s[i - 1]
            if span_s <= 0:
                return power_w[i]
            frac = (t_s - times_s[i - 1]) / span_s
            return power_w[i - 1] + frac * (power_w[i] - power_w[i - 1])
    raise MeasurementError(
        f"Time {t_s:.3f} s is outside the power trace.", "Record a trace covering the window."
    )


def window_energy_j(
    times_s: Sequence[float], power_w: Sequence[float], start_s: float, stop_s: float
) -> tuple[float, list[list[float]]]:
    """Return (joules over exactly [start_s, stop_s], trace clipped to the window)."""
    if not times_s or times_s[0] > start_s or times_s[-1] < stop_s:
        have = f"{times_s[0]:.3f}..{times_s[-1]:.3f} s" if times_s else "no samples"
        raise MeasurementError(
            f"Power trace ({have}) does not cover the window {start_s:.3f}..{stop_s:.3f} s.",
            "Start recording before the run and stop after it, and check clock_offset_s.",
        )
    inner = [(t, p) for t, p in zip(times_s, power_w, strict=True) if start_s < t < stop_s]
    points = [(start_s, interpolate_w(times_s, power_w, start_s))]
    points += inner
    points.append((stop_s, interpolate_w(times_s, power_w, stop_s)))
    ts = [t for t, _ in points]
    ps = [p for _, p in points]
    trace = [[t - start_s, p] for t, p in points]
    return trapezoid_j(ts, ps), trace


class PowerSampler:
    """Polls `read_power_w` (domain -> W) every `period_s` in a daemon thread.

    The first and last samples are taken in the caller's thread by `start` and `stop`, so the
    trace always brackets exactly the caller's window.
    """

    def __init__(
        self,
        read_power_w: PowerReader,
        period_s: float,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._read = read_power_w
        self._period_s = period_s
        self._clock = clock
        self._times_s: list[float] = []
        self._samples: list[dict[str, float]] = []
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _sample(self) -> None:
        t_s = self._clock()
        self._samples.append(self._read())
        self._times_s.append(t_s)

    def _loop(self) -> None:
        while not self._stop_event.wait(self._period_s):
            try:
                self._sample()
            except (OSError, ValueError) as err:
                self._error = err
                return

    def start(self) -> None:
        """Take the opening sample and start the polling thread."""
        self._times_s, self._samples, self._error = [], [], None
        self._stop_event.clear()
        self._sample()
        self._thread = threading.Thread(target=self._loop, name="power-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> tuple[list[float], dict[str, list[float]]]:
        """Stop polling, take the closing sample; return (times in s, domain -> watts)."""
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self._sample()
        except (OSError, ValueError) as err:
            self._error = self._error or err
        if self._error is not None:
            raise MeasurementError(
                f"Power sampling failed mid-window: {self._error}.",
                "Check that the sensor files stay readable for the whole run.",
            )
        domains = list(self._samples[0])
        series = {d: [s.get(d, float("nan")) for s in self._samples] for d in domains}
        return list(self._times_s), series


def sampled_readings(
    times_s: list[float],
    series: dict[str, list[float]],
    describe: Callable[[str], tuple[str, str]],
    method: str,
    accuracy_rel: float,
) -> list[EnergyReading]:
    """Return one measured-sampled reading (joules) per domain; describe gives scope, part_of."""
    readings = []
    for domain, power_w in series.items():
        energy_j, trace = window_energy_j(times_s, power_w, times_s[0], times_s[-1])
        scope, part_of = describe(domain)
        readings.append(
            EnergyReading(
                energy_j=energy_j,
                duration_s=times_s[-1] - times_s[0],
                scope=scope,
                domain=domain,
                method=method,
                provenance=Provenance.MEASURED_SAMPLED.value,
                accuracy_rel=accuracy_rel,
                part_of=part_of,
                trace=trace,
            )
        )
    return readings


class SampledMeter(EnergyMeter):
    """A meter whose sensors a PowerSampler polls every `sample_period_s` over the window.

    Subclasses name their sensors (domain -> reader in watts, found on first use if probe()
    has not), the scope of each domain, and the method the readings state."""

    provenance = Provenance.MEASURED_SAMPLED
    sample_period_s: float
    _sampler: PowerSampler | None = None

    @abstractmethod
    def _sensors_w(self) -> dict[str, SensorReader]:
        """Return domain -> reader in watts, discovering the sensors if not done yet."""

    @abstractmethod
    def _describe(self, domain: str) -> tuple[str, str]:
        """Return (scope, part_of) of one domain's reading."""

    @abstractmethod
    def _method(self) -> str:
        """Return how the readings were taken, for their `method` field."""

    def _start(self) -> None:
        sensors = self._sensors_w()
        self._sampler = PowerSampler(lambda: {domain: read() for domain, read in sensors.items()},
                                     self.sample_period_s)
        self._sampler.start()

    def _stop(self) -> list[EnergyReading]:
        times_s, series = self._sampler.stop() if self._sampler else ([], {})
        return sampled_readings(times_s, series, self._describe, self._method(), self.accuracy_rel)
