"""Run every check once, in one process, on the same components; collect rows and context."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.core.errors import HarnessError
from harness.scenarios import stability_snapshot
from harness.selfcheck.components import MODEL_NAME, Components, build_components, warm_up
from harness.selfcheck.loadgen_check import run_loadgen_check
from harness.selfcheck.openvino_check import run_openvino_check
from harness.selfcheck.overhead_check import run_overhead_check
from harness.selfcheck.plan import Plan
from harness.selfcheck.rows import ERROR, FAIL, INFO, PASS, CheckRow, error_row
from harness.selfcheck.server_check import run_server_check

SCHEMA_VERSION = 1


def versions() -> dict[str, str | None]:
    """Return the versions of the runtimes the checks exercise (None when absent)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("onnxruntime", "openvino", "torch", "numpy"):
        try:
            out[name] = str(__import__(name).__version__)
        except (ImportError, AttributeError):
            out[name] = None
    try:
        from importlib.metadata import version

        out["mlcommons-loadgen"] = version("mlcommons-loadgen")
    except Exception:  # noqa: BLE001 - metadata lookup failure only means "unknown"
        out["mlcommons-loadgen"] = None
    return out


def _guarded(name: str, fn: Callable[[], list[CheckRow]], log: Callable[[str], None]
             ) -> tuple[list[CheckRow], float]:
    """Run one check; a HarnessError becomes an ERROR row so the other checks still run."""
    log(f"selfcheck: {name} ...")
    start = time.perf_counter()
    try:
        rows = fn()
    except (HarnessError, RuntimeError, OSError) as exc:
        rows = [error_row(name, f"{type(exc).__name__}: {exc}")]
    return rows, time.perf_counter() - start


def run_selfcheck(plan: Plan, cache_dir: Path, log_dir: Path,
                  log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Return the self-check document: context, every check's rows, and pass/fail counts."""
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    stability = stability_snapshot()
    comp: Components = build_components(cache_dir)
    checks: list[tuple[str, Callable[[], list[CheckRow]]]] = [
        ("native vs bare loop", lambda: run_overhead_check(comp, plan)),
        ("native vs LoadGen", lambda: run_loadgen_check(comp, plan, log_dir / "loadgen")),
        ("openvino vs benchmark_app", lambda: run_openvino_check(comp, plan)),
        ("server max-QPS search", lambda: run_server_check(comp, plan)),
    ]
    rows: list[CheckRow] = []
    seconds: dict[str, float] = {}
    try:
        warm_up(comp.ort_session, comp.samples, plan.warmup_s)
        for name, fn in checks:
            got, seconds[name] = _guarded(name, fn, log)
            rows += got
    finally:
        comp.close()
    counts = {s: sum(r.status == s for r in rows) for s in (PASS, FAIL, ERROR, INFO)}
    return {
        "schema_version": SCHEMA_VERSION, "tool": "harness-selfcheck", "mode": plan.label,
        "started_at": started.isoformat(), "wall_s": time.perf_counter() - t0,
        "check_seconds": seconds, "plan": asdict(plan),
        "host": {"platform": platform.platform(), "machine": platform.machine(),
                 "cpu_count": os.cpu_count(), "argv": sys.argv},
        "versions": versions(),
        "model": {"name": MODEL_NAME, "artifact": str(comp.artifact.path),
                  "sha256": comp.artifact.sha256, "inputs": [vars(s) for s in
                                                             comp.artifact.inputs]},
        "stability_before": stability, "rows": [r.to_dict() for r in rows], "counts": counts,
    }
