"""run_scenario: look the engine up, measure one trial, build the ScenarioResult; run_trials."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from harness.core import stats
from harness.core.errors import MeasurementError
from harness.scenarios.config import ScenarioConfig, apply_profile
from harness.scenarios.engines import get_engine
from harness.scenarios.result import ScenarioResult, build_result
from harness.scenarios.server import Inputs
from harness.scenarios.session import TimedSession


def run_scenario(session: TimedSession, samples: Sequence[Inputs], cfg: ScenarioConfig,
                 window: AbstractContextManager | None = None,
                 log_dir: str | Path | None = None) -> ScenarioResult:
    """Return the result of one trial; `window` is entered once around the timed region.

    The engine is looked up by `cfg.engine` in the harness.engines registry."""
    if len(samples) == 0:
        raise MeasurementError("No input samples to run.",
                               "Prepare at least one input dict before timing.")
    cfg = apply_profile(cfg)
    engine = get_engine(cfg.engine)
    return build_result(cfg, engine(session, samples, cfg, window,
                                    Path(log_dir) if log_dir is not None else None))


def run_trials(session_for_trial: Callable[[int], TimedSession], samples: Sequence[Inputs],
               cfg: ScenarioConfig,
               window_factory: Callable[[], AbstractContextManager | None] | None = None,
               log_dir: str | Path | None = None,
               ) -> tuple[list[ScenarioResult], stats.TrialSpread]:
    """Return cfg.trials results, in order, and the spread of their medians (ns).

    Each trial asks `session_for_trial(trial)` for its session, then `window_factory()` for the
    window to time it in (None: no window); its engine's logs go to log_dir/trial_<n>. Who owns
    the sessions (loads, closes) is the caller's business: this loop never closes one."""
    results = []
    for trial in range(cfg.trials):
        session = session_for_trial(trial)
        window = window_factory() if window_factory is not None else None
        trial_dir = Path(log_dir) / f"trial_{trial}" if log_dir is not None else None
        results.append(run_scenario(session, samples, cfg, window, trial_dir))
    medians = [stats.percentile(r.latencies_ns, 0.5) for r in results]
    return results, stats.trial_spread(medians)
