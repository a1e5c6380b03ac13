"""The served model's own energy: the harness's meter, kept as running totals for clients.

The server opens one meter window when it starts serving and, on every snapshot, closes it and
opens the next (a few microseconds apart), adding the closed window's top-level joules to a
running total. A client reads a snapshot before and after its timed window; the difference
over the requests the server counted in between is the server's J per query
(harness.backends.remote_energy)."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

from harness.energy.auto import create_meter
from harness.energy.base import EnergyMeter, EnergyReading, NullMeter
from harness.energy.config import MeterConfig
from harness.energy.method import IdleBaseline, idle_baseline


def _provenance(readings: list[EnergyReading]) -> str:
    labels = sorted({r.provenance for r in readings})
    return "estimated" if "estimated" in labels else "+".join(labels)


class ServerEnergy:
    """Running energy totals of this server process's meter, and the requests it answered."""

    def __init__(self, meter_cfg: MeterConfig, device: str) -> None:
        self.meter: EnergyMeter
        self.meter, self.meter_choice = create_meter(meter_cfg, device)
        self.metered = not isinstance(self.meter, NullMeter)
        self.idle: IdleBaseline | None = None
        if self.metered and meter_cfg.idle_baseline_s > 0:  # before serving: nothing runs
            self.idle = idle_baseline(self.meter, meter_cfg.idle_baseline_s)
        self._lock = threading.Lock()
        self.energy_j = 0.0
        self.metered_s = 0.0
        self.requests = 0
        self.samples = 0
        self._labels: dict[str, Any] = {}
        self._started = False
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{time.time():.0f}"  # one replica

    def start(self) -> None:
        """Open the first window (call when the server starts answering)."""
        with self._lock:
            if self.metered and not self._started:
                self.meter.begin()
            self._started = True

    def count(self, requests: int, samples: int) -> None:
        """Add requests answered and the samples they carried (called by the served model)."""
        with self._lock:
            self.requests += requests
            self.samples += samples

    def snapshot(self) -> dict[str, Any]:
        """Return the running totals now: joules and metered seconds, requests, labels."""
        with self._lock:
            if self.metered and self._started:
                readings = self.meter.end()
                self.meter.begin()
                self._add(readings)
            idle_w = None
            if self.idle is not None and self._labels:
                idle_w = sum(self.idle.power_w.get(d, 0.0) for d in self._labels["domains"])
            return {
                "instance": self.instance, "clock_s": time.monotonic(), "metered": self.metered,
                "meter": self.meter.name, "meter_choice": self.meter_choice,
                "energy_j": self.energy_j, "metered_s": self.metered_s,
                "requests": self.requests, "samples": self.samples,
                "idle_power_w": idle_w, "min_window_s": self.meter.min_window_s,
                **{k: v for k, v in self._labels.items() if k != "domains"},
            }

    def _add(self, readings: list[EnergyReading]) -> None:
        totals = [r for r in readings if r.is_total]
        if not totals:
            return
        self.energy_j += sum(r.energy_j for r in totals)
        self.metered_s += max(r.duration_s for r in totals)
        self._labels = {
            "provenance": _provenance(totals), "accuracy_rel": max(r.accuracy_rel for r in totals),
            "scope": " + ".join(dict.fromkeys(r.scope for r in totals)),
            "method": "; ".join(dict.fromkeys(r.method.split(" (")[0] for r in totals)),
            "domains": sorted({r.domain for r in totals}),
        }

    def close(self) -> None:
        """Close the meter (its sampler threads, handles)."""
        self.meter.close()
