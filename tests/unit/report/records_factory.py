"""Synthetic run records built through RunRecord and the real statistics, for report tests."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.stats import summarize
from harness.records.io import write_record
from harness.records.schema import RunRecord, Status


def make_record(model: str = "resnet8", quant: str = "fp32", target: str = "cpu",
                median_ms: float = 1.0, n: int = 2000, energy_j: float | None = 0.01,
                provenance: str = "measured-counter", host: str = "box", seed: int = 0,
                task: dict[str, Any] | None = None, status: Status = Status.ok,
                profile: dict[str, Any] | None = None,
                gate: dict[str, Any] | None = None) -> RunRecord:
    """Return a record whose latencies are lognormal around `median_ms`."""
    rng = np.random.default_rng(seed)
    lat = (median_ms * 1e6 * rng.lognormal(0.0, 0.05, n)).astype(np.int64)
    summary = asdict(summarize(lat))
    config = {"model": {"name": model, "batch_size": 1}, "quant": {"name": quant},
              "target": {"name": target}, "scenario": {"name": "single_stream"}}
    energy = {} if energy_j is None else {
        "gross_j_per_inference": energy_j, "net_j_per_inference": energy_j * 0.6,
        "idle_power_w": 2.0, "provenance": provenance, "uncertainty_rel": 0.05}
    return RunRecord(
        run_id=f"{model}-{quant}-{target}-single_stream", sweep="t", status=status,
        config=config, config_hash="0" * 8, created_at="2026-01-01T00:00:00+00:00",
        model={"name": model, "task": "classification", "num_classes": 10,
               "inputs": [{"name": "input", "shape": [1, 3, 32, 32], "dtype": "float32"}]},
        artifact={"size_bytes": 4096}, environment={"hostname": host, "cpu_model": "X"},
        scenario={"latencies_ns": lat.tolist(), "summary": summary, "compliant": False,
                  "throughput_sps": 1e3 / float(np.mean(lat) / 1e6)},
        energy=energy, accuracy={k: v for k, v in (("task", task), ("gate", gate)) if v},
        memory={"peak_rss_bytes": 100 * 2**20}, profile=profile or {})


def write_records(folder: Path, records: list[RunRecord]) -> Path:
    """Write the records into `folder` and return it."""
    for record in records:
        write_record(folder, record)
    return folder
