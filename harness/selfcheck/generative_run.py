"""`harness selfcheck --generative`: the generative cross-check's document (rows, context)."""

from __future__ import annotations

import argparse
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
from harness.selfcheck.generative_check import GenPlan, run_generative_check
from harness.selfcheck.rows import ERROR, FAIL, INFO, PASS, error_row


def plan_from(args: argparse.Namespace) -> GenPlan:
    """Return the plan: 128 in / 64 out, or (--quick) 1 round of 4 requests, 32 in / 16 out."""
    base = GenPlan(rounds=args.generative_rounds, requests=args.generative_requests,
                   model=args.generative_shape, layers=args.generative_layers)
    if args.quick:
        return GenPlan(rounds=1, requests=4, input_tokens=32, output_tokens=16,
                       model=base.model, layers=base.layers)
    return base


def run_generative_selfcheck(args: argparse.Namespace, log_dir: Path,
                             log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Return the self-check document of the generative cross-check."""
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    plan = plan_from(args)
    stability = stability_snapshot()
    local = args.generative == "local"
    try:
        rows = run_generative_check(
            plan, Path(args.cache_dir), log_dir, None if local else args.generative,
            args.generative_model, args.generative_folder, args.generative_threads, log)
    except (HarnessError, RuntimeError, OSError) as exc:
        rows = [error_row("generative: openai_remote vs AIPerf", f"{type(exc).__name__}: {exc}")]
    counts = {s: sum(r.status == s for r in rows) for s in (PASS, FAIL, ERROR, INFO)}
    return {"schema_version": 1, "tool": "harness-selfcheck",
            "mode": "generative quick" if args.quick else "generative",
            "started_at": started.isoformat(), "wall_s": time.perf_counter() - t0,
            "plan": asdict(plan), "endpoint": args.generative,
            "host": {"platform": platform.platform(), "machine": platform.machine(),
                     "cpu_count": os.cpu_count(), "argv": sys.argv},
            "stability_before": stability, "rows": [r.to_dict() for r in rows],
            "counts": counts}
