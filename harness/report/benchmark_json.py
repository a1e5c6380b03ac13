"""Export run records in pytest-benchmark's JSON format, so `pytest-benchmark compare` reads them.

One benchmark per ok run, named model-quant-target-scenario, grouped by model; statistics are per
query in seconds from the raw latencies (rounds = queries, ops = queries per second of the mean).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from harness.records.schema import Status
from harness.report.load import Run, latencies_ns
from harness.report.select import lookup

PYTEST_BENCHMARK_VERSION = "5.0.0"


def stats_s(samples_ns: Sequence[int]) -> dict[str, Any]:
    """Return pytest-benchmark's stats block (seconds) for raw latencies in ns."""
    s = np.sort(np.asarray(samples_ns, dtype=np.float64)) / 1e9
    q1, median, q3 = (float(x) for x in np.percentile(s, [25, 50, 75]))
    iqr = q3 - q1
    mean = float(s.mean())
    std = float(s.std(ddof=1)) if s.size > 1 else 0.0
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    iqr_out = int(((s < lo) | (s > hi)).sum())
    std_out = int(((s < mean - std) | (s > mean + std)).sum())
    return {
        "min": float(s[0]), "max": float(s[-1]), "mean": mean, "stddev": std,
        "rounds": int(s.size), "median": median, "iqr": iqr, "q1": q1, "q3": q3,
        "iqr_outliers": iqr_out, "stddev_outliers": std_out,
        "outliers": f"{std_out};{iqr_out}", "ld15iqr": float(s[s >= lo][0]),
        "hd15iqr": float(s[s <= hi][-1]), "ops": 1.0 / mean if mean else 0.0,
        "total": float(s.sum()), "iterations": 1,
    }


def machine_info(run: Run) -> dict[str, Any]:
    """Return pytest-benchmark's machine_info from the record's environment fingerprint."""
    env = run.record.environment
    return {"node": env.hostname or "", "processor": env.cpu_model or "",
            "machine": env.get("machine", ""), "python_implementation": "CPython",
            "python_version": env.python or "", "system": platform.system(),
            "release": env.os or "", "python_compiler": "", "python_build": [],
            "python_implementation_version": env.python or "",
            "cpu": {"brand_raw": env.cpu_model or "", "count": env.logical_cores}}


def benchmark(run: Run) -> dict[str, Any] | None:
    """Return one pytest-benchmark entry for an ok run with raw latencies, else None."""
    samples = latencies_ns(run)
    if run.record.status is not Status.ok or not samples:
        return None
    name = run.record.run_id
    return {"group": str(lookup(run, "model")), "name": name, "fullname": f"harness::{name}",
            "params": None, "param": None, "options": {"timer": "perf_counter_ns"},
            "extra_info": {"host": lookup(run, "host"), "config_hash": run.record.config_hash,
                           "energy_j_per_inference": run.record.energy.gross_j_per_inference,
                           "energy_provenance": run.record.energy.provenance or ""},
            "stats": {**stats_s(samples), "data": [x / 1e9 for x in samples]}}


def to_benchmark_json(runs: Sequence[Run]) -> dict[str, Any]:
    """Return the whole pytest-benchmark document for the runs."""
    benches = [b for b in (benchmark(r) for r in runs) if b]
    commit = (runs[0].record.environment.harness_commit or "") if runs else ""
    return {"machine_info": machine_info(runs[0]) if runs else {},
            "commit_info": {"id": commit or "unversioned", "dirty": False, "project":
                            "edge-harness", "branch": "", "time": None, "author_time": None},
            "benchmarks": benches, "datetime": datetime.now(timezone.utc).isoformat(),
            "version": PYTEST_BENCHMARK_VERSION}


def write_benchmark_json(runs: Sequence[Run], out: Path,
                         name: str = "compare.benchmark.json") -> Path:
    """Write the runs as pytest-benchmark JSON into folder `out`; return the file."""
    path = Path(out) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_benchmark_json(runs), indent=1))
    return path


