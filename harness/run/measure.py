"""The timed part of a run: idle baseline, scenario trials with the meter in the same window."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from harness.energy.base import EnergyMeter, MeterWindow, NullMeter
from harness.energy.config import MeterConfig
from harness.energy.method import idle_baseline, required_window_s, summarise_energy
from harness.scenarios.config import ScenarioConfig
from harness.scenarios.overhead import measure_overhead_ns
from harness.scenarios.runner import run_trials
from harness.scenarios.session import TimedSession

Inputs = dict[str, np.ndarray]


def overhead_ns(cfg: ScenarioConfig) -> float:
    """Return the harness loop's own median cost per query on a null session (ns)."""
    short = replace(cfg, min_count=20000, min_duration_s=0.05, max_count=200000,
                    max_duration_s=0.25)
    return measure_overhead_ns(short)


def measure(
    session_for_trial: Callable[[int], TimedSession],
    samples: Sequence[Inputs],
    cfg: ScenarioConfig,
    meter: EnergyMeter,
    meter_cfg: MeterConfig,
    log_dir: Path,
    wrap: Callable[[MeterWindow], AbstractContextManager] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (scenario fields, energy fields) for cfg.trials trials, in one meter window each.

    `session_for_trial(n)` gives trial n its session (harness.run.sessions.TrialSessions: the
    warm first session for trial 0, a fresh one after); measure never closes a session.
    `wrap(window)` brackets each meter window (a remote server's own energy is read around
    it: harness.backends.remote_energy)."""
    window_start_unix_s = time.time()
    metered = not isinstance(meter, NullMeter)
    idle = None
    if metered and meter_cfg.idle_baseline_s > 0:
        idle = idle_baseline(meter, meter_cfg.idle_baseline_s)
    cfg = replace(cfg, min_duration_s=required_window_s(cfg.min_duration_s, meter))
    cfg = replace(cfg, max_duration_s=max(cfg.max_duration_s, cfg.min_duration_s))
    windows: list[MeterWindow] = []

    def new_window() -> AbstractContextManager:
        windows.append(meter.window())
        return windows[-1] if wrap is None else wrap(windows[-1])

    results, spread = run_trials(session_for_trial, samples, cfg, new_window, log_dir)
    scenario = asdict(results[-1])
    scenario["harness_overhead_ns_per_query"] = overhead_ns(cfg)
    scenario.update(window_start_unix_s=window_start_unix_s, window_end_unix_s=time.time())
    if cfg.trials > 1:
        scenario["trials"] = [asdict(r) for r in results[:-1]] + [{"latest": True}]
        scenario["trial_spread"] = asdict(spread)
    energy: dict[str, Any] = {"meter": meter.name}
    if metered:
        per_trial = [(w.readings, r.query_count) for w, r in zip(windows, results, strict=True)]
        last = results[-1]
        summary = summarise_energy(windows[-1].readings, idle, last.query_count,
                                   last.sample_count, per_trial, meter.min_window_s)
        energy.update(asdict(summary), readings=[asdict(r) for r in windows[-1].readings])
    return scenario, energy
