"""Host vs device time in the results table: columns that appear only when a run reports it.

Read from `scenario.extra.device_time` (harness/scenarios/device_time.py) or, in records from
before it, from `scenario.extra.runtime_timer` (OpenVINO's InferRequest.latency). Runs whose
runtime reports no timer leave the table exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.records.schema import RunRecord

DEVICE_HEADERS = {"device_p50_ms": "device p50 ms", "host_p50_ms": "host overhead p50 ms",
                  "transfer_p50_ms": "transfer p50 ms", "device_source": "device time from"}
DEVICE_LEGEND = (" Device time is the runtime's own timer (source in 'device time from'); host "
                 "overhead = our latency − device − transfer, per query; transfer blank: the "
                 "runtime does not report it.")


def _p50_ms(summary: dict[str, Any] | None) -> float | None:
    p50 = (summary or {}).get("p50") or {}
    return None if p50.get("value_ns") is None else p50["value_ns"] / 1e6


def device_cells(record: RunRecord) -> dict[str, Any] | None:
    """Return the device, host-overhead and transfer p50 (ms) with the source, or None."""
    extra = record.scenario.get("extra") or {}
    split, legacy = extra.get("device_time"), extra.get("runtime_timer")
    if split:
        host = split["host_overhead"]["p50_ns"] / 1e6
        return {"device_p50_ms": _p50_ms(split["device"]), "host_p50_ms": host,
                "transfer_p50_ms": _p50_ms(split.get("transfer")),
                "device_source": str(split["source"]).split(":")[0]}
    if legacy:
        return {"device_p50_ms": _p50_ms(legacy["summary"]),
                "host_p50_ms": legacy["wall_minus_runtime_p50_ns"] / 1e6,
                "transfer_p50_ms": None, "device_source": str(legacy["source"]).split(":")[0]}
    return None


def add_device_columns(records: Sequence[RunRecord], rows: list[dict[str, Any]],
                       headers: dict[str, str], legend: str) -> tuple[dict[str, str], str]:
    """Fill the device-time cells of `rows` (in place) and return (headers, legend) with the
    device columns added, or unchanged when no record reports device time."""
    cells = [device_cells(r) for r in records]
    if not any(cells):
        return headers, legend
    for row, found in zip(rows, cells, strict=True):
        row.update(found or dict.fromkeys(DEVICE_HEADERS))
    return {**headers, **DEVICE_HEADERS}, legend + DEVICE_LEGEND
