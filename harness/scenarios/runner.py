"""run_scenario: pick the engine and scenario, measure, and build the ScenarioResult."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

from harness.core import stats
from harness.core.errors import ConfigError, MeasurementError
from harness.scenarios.config import Engine, ScenarioConfig, ScenarioName, apply_profile
from harness.scenarios.native import run_offline, run_streams
from harness.scenarios.result import Measurement, ScenarioResult, build_result
from harness.scenarios.search import search_max_qps
from harness.scenarios.server import Inputs, run_server
from harness.scenarios.session import TimedSession

CONFIRM_RETRIES = 3  # the reported max QPS must pass a final, full-length run
CONFIRM_STEP = 0.9


def run_scenario(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                 window: AbstractContextManager | None = None,
                 log_dir: str | Path | None = None) -> ScenarioResult:
    """Return the result of one trial; `window` is entered once around the timed region."""
    if len(samples) == 0:
        raise MeasurementError("No input samples to run.",
                               "Prepare at least one input dict before timing.")
    cfg = apply_profile(cfg)
    if cfg.engine is Engine.loadgen:
        if log_dir is None:
            raise ConfigError("The loadgen engine needs a log_dir.",
                              "Pass log_dir=<folder> so LoadGen's logs are kept.")
        from harness.scenarios.loadgen_engine import run_loadgen

        return build_result(cfg, run_loadgen(session, samples, cfg, Path(log_dir), window))
    return build_result(cfg, _run_native(session, samples, cfg, window))


def _run_native(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                window: AbstractContextManager | None) -> Measurement:
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


def run_trials(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
               window_factory: Callable[[], AbstractContextManager] | None = None,
               log_dir: str | Path | None = None,
               ) -> tuple[list[ScenarioResult], stats.TrialSpread]:
    """Return cfg.trials independent results and the spread of their medians (ns)."""
    results = []
    for trial in range(cfg.trials):
        trial_dir = Path(log_dir) / f"trial_{trial}" if log_dir is not None else None
        window = window_factory() if window_factory is not None else None
        results.append(run_scenario(session, samples, cfg, window, trial_dir))
    medians = [stats.percentile(r.latencies_ns, 0.5) for r in results]
    return results, stats.trial_spread(medians)
