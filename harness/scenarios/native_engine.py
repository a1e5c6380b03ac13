"""The `native` engine: the harness's own loop for each scenario (registered in harness.engines)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

from harness.core import stats
from harness.scenarios.config import ScenarioConfig, ScenarioName
from harness.scenarios.native import run_offline, run_streams
from harness.scenarios.result import Measurement
from harness.scenarios.search import search_max_qps
from harness.scenarios.server import Inputs, run_server
from harness.scenarios.session import TimedSession

CONFIRM_RETRIES = 3  # the reported max QPS must pass a final, full-length run
CONFIRM_STEP = 0.9


def run_native(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
               window: AbstractContextManager | None = None,
               log_dir: Path | None = None) -> Measurement:
    """Return one trial's measurement from the native loop (log_dir is unused: no logs)."""
    if cfg.name is ScenarioName.offline:
        return run_offline(session, samples, cfg, window)
    if cfg.name is not ScenarioName.server:
        return run_streams(session, samples, cfg, window)
    if not cfg.search_qps:
        return run_server(session, samples, cfg, window)
    best_qps, trace = search_max_qps(session, samples, cfg)
    final = run_server(session, samples, replace(cfg, target_qps=best_qps or 1e-3), window)
    for _ in range(CONFIRM_RETRIES):  # a probe that passed by luck: step down until confirmed
        if final.valid or not best_qps:
            break
        trace.append({"qps": best_qps, "valid": False, "confirmation": True,
                      "p99_ns": float(stats.percentile(final.latencies_ns, 0.99))})
        best_qps *= CONFIRM_STEP
        final = run_server(session, samples, replace(cfg, target_qps=best_qps), window)
    extra = {**final.extra, "search_trace": trace, "search_max_qps": best_qps}
    warnings = final.warnings + (() if best_qps else ("search: no QPS met the bound",))
    return replace(final, extra=extra, warnings=warnings)
