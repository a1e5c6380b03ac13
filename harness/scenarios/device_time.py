"""Host vs device time per query: the runtime's own timer read beside our wall clock.

A session may report, after each run(), how long its device worked and how long the
host<->device transfers took (`Session.device_timing()`, harness/backends/base.py). The native
engine reads it after every single-stream query, outside the timed span, and the record keeps
`scenario.extra.device_time`: the device time's percentiles, the host overhead (our wall
latency minus device and transfer time: the Python call, the runtime's API layer, scheduling)
and the transfer time where the runtime reports it, each with the source of its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from harness.backends.base import DeviceTiming
from harness.core import stats
from harness.scenarios.session import TimedSession

Reader = Callable[[], DeviceTiming | None]


def timing_reader(session: TimedSession) -> Reader | None:
    """Return a callable giving the session's DeviceTiming of its last run, or None when the
    session reports none (sessions with only runtime_latency_ns() count as device time)."""
    read = getattr(session, "device_timing", None)
    if not callable(read):
        legacy = getattr(session, "runtime_latency_ns", None)
        if not callable(legacy):
            return None

        def read() -> DeviceTiming | None:
            latency_ns = legacy()
            return None if latency_ns is None else DeviceTiming(int(latency_ns))

    return read if read() is not None else None


def timing_source(session: TimedSession) -> str:
    """Return the record's label of where the session's device time comes from."""
    return (getattr(session, "device_timer", None) or getattr(session, "runtime_timer", None)
            or f"{type(session).__name__}.device_timing()")


def device_time_summary(session: TimedSession, wall_ns: np.ndarray,
                        timings: Sequence[DeviceTiming | None], confidence: float
                        ) -> dict[str, Any] | None:
    """Return `scenario.extra.device_time` for one trial's queries (ns), or None when the
    session did not report a timing for every query."""
    if len(timings) != len(wall_ns) or any(t is None for t in timings):
        return None
    device = np.array([t.device_ns for t in timings], dtype=np.int64)  # type: ignore[union-attr]
    transfers = [t.transfer_ns for t in timings]  # type: ignore[union-attr]
    known = all(x is not None for x in transfers)
    transfer = np.array(transfers if known else [0] * len(transfers), dtype=np.int64)
    host = wall_ns - device - transfer
    return {
        "source": timing_source(session),
        "host_overhead_source": "our wall latency minus device"
                                + (" and transfer" if known else "") + " time, per query",
        "transfer_source": timing_source(session) if known else "not reported by the runtime",
        "device": asdict(stats.summarize(device, confidence)),
        "transfer": asdict(stats.summarize(transfer, confidence)) if known else None,
        "host_overhead": {"p50_ns": float(np.median(host)),
                          "p90_ns": float(stats.percentile(host, 0.9)),
                          "mean_ns": float(host.mean())},
        "device_share_of_wall_p50": float(np.median(device) / max(np.median(wall_ns), 1)),
        "device_samples_ns": device.tolist(),
        "transfer_samples_ns": transfer.tolist() if known else None,
    }
