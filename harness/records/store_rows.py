"""One results-store row per record: the columns history and filters query, plus the record.

Latency columns are integer nanoseconds from the record's summary, each percentile with its
distribution-free 95% interval; `record_json` is the record's JSON without its raw latency list,
so reports can rebuild the record from the store alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_LATENCIES_KEY = '"latencies_ns":'
PERCENTILES = ("p50", "p90", "p99")

#: (column, DuckDB type), in row order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("path", "VARCHAR"), ("folder", "VARCHAR"), ("run_id", "VARCHAR"), ("sweep", "VARCHAR"),
    ("status", "VARCHAR"), ("created_at", "VARCHAR"), ("config_hash", "VARCHAR"),
    ("model", "VARCHAR"), ("quant", "VARCHAR"), ("target", "VARCHAR"), ("scenario", "VARCHAR"),
    ("host", "VARCHAR"), ("backend", "VARCHAR"), ("backend_version", "VARCHAR"),
    ("harness_commit", "VARCHAR"), ("libraries", "VARCHAR"),
    *((f"{p}{suffix}", "BIGINT") for p in PERCENTILES for suffix in ("_ns", "_low_ns", "_high_ns")),
    ("mean_ns", "DOUBLE"), ("throughput_sps", "DOUBLE"), ("energy_j", "DOUBLE"),
    ("energy_provenance", "VARCHAR"), ("record_json", "VARCHAR"),
)
NAMES = tuple(name for name, _ in COLUMNS)


def strip_latencies(text: str) -> str:
    """Return record JSON text with the scenario's raw latency list replaced by []."""
    start = text.find(_LATENCIES_KEY)
    open_at = text.find("[", start) if start >= 0 else -1
    close_at = text.find("]", open_at) if open_at >= 0 else -1
    if close_at < 0:
        return text
    return text[: open_at + 1] + text[close_at:]


def _name(config: dict[str, Any], key: str) -> str | None:
    part = config.get(key)
    return part.get("name") if isinstance(part, dict) else part


def record_row(record: Any, path: Path, folder: Path, text: str | None = None) -> tuple:
    """Return the store row (COLUMNS order) of `record`, written at `path` under `folder`;
    `text` is its JSON when at hand (saves serialising it again)."""
    summary = record.scenario.summary
    cells: list[Any] = []
    for p in PERCENTILES:
        est = getattr(summary, p, None) if summary else None
        cells += [est.value_ns, est.ci_low_ns, est.ci_high_ns] if est else [None] * 3
    env, cfg = record.environment, record.config
    body = strip_latencies(text if text is not None else json.dumps(record.to_dict(), default=str))
    return (str(path), str(folder), record.run_id, record.sweep, record.status.value,
            record.created_at, record.config_hash, _name(cfg, "model") or record.model.name,
            _name(cfg, "quant"), _name(cfg, "target"), _name(cfg, "scenario"), env.hostname,
            record.backend.name, record.backend.version, env.harness_commit,
            json.dumps(env.libraries or {}, sort_keys=True), *cells,
            summary.mean_ns if summary else None, record.scenario.throughput_sps,
            record.energy.gross_j_per_inference, record.energy.provenance, body)
