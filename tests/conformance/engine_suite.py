"""The conformance suite every scenario engine inherits: subclass, name the engine, and it runs.

A subclass sets `engine_name` (a name in the `harness.engines` registry). The engine is looked up
the way a run looks it up, then one tiny single-stream trial runs on a NullSession: the contract
`engine(session, samples, cfg, window, log_dir) -> Measurement`, the window entered once around
the timed region, and the result built from it by run_scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from harness.core.errors import BackendUnavailable
from harness.scenarios import NullSession, ScenarioConfig, run_scenario
from harness.scenarios.engines import ENGINES, get_engine
from harness.scenarios.result import Measurement

SAMPLES = [{"x": np.zeros((1, 4), dtype=np.float32)} for _ in range(8)]


class Window:
    """A window that counts how often it is entered."""

    def __init__(self) -> None:
        self.enters = self.exits = 0

    def __enter__(self) -> Window:
        self.enters += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.exits += 1


class EngineConformance:
    """Inherit this and set `engine_name`; the engine's one-trial contract is checked."""

    engine_name: ClassVar[str]

    def config(self) -> ScenarioConfig:
        """Return the tiny single-stream config the checks run (well under a second)."""
        return ScenarioConfig(engine=self.engine_name, warmup_count=5, warmup_s=0.0,
                              min_count=50, min_duration_s=0.02, max_duration_s=1.0)

    def engine(self):
        """Return the registered engine, or skip with the reason it cannot be imported here."""
        try:
            return get_engine(self.engine_name)
        except BackendUnavailable as exc:
            pytest.skip(str(exc))

    def test_registered(self) -> None:
        assert self.engine_name in ENGINES and callable(self.engine())

    def test_one_trial_returns_a_measurement(self, tmp_path: Path) -> None:
        engine, window = self.engine(), Window()
        m = engine(NullSession(), SAMPLES, self.config(), window, tmp_path)
        assert isinstance(m, Measurement)
        assert m.query_count == len(m.latencies_ns) >= 50 and m.sample_count == m.query_count
        assert (np.asarray(m.latencies_ns) >= 0).all() and m.duration_ns > 0
        assert m.warmup_count >= 0 and window.enters == window.exits == 1

    def test_run_scenario_looks_it_up(self, tmp_path: Path) -> None:
        self.engine()
        result = run_scenario(NullSession(), SAMPLES, self.config(), log_dir=tmp_path)
        assert result.engine == self.engine_name and result.query_count >= 50
        assert result.headline_metric == "p90_latency" and result.headline_value >= 0
