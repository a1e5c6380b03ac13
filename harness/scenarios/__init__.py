"""Load patterns (MLPerf scenarios), the native timing loop and the LoadGen engine."""

from harness.scenarios.config import Engine, Profile, ScenarioConfig, ScenarioName, apply_profile
from harness.scenarios.overhead import bare_loop_ns, measure_overhead_ns
from harness.scenarios.result import ScenarioResult
from harness.scenarios.runner import run_scenario, run_trials
from harness.scenarios.search import search_max_qps
from harness.scenarios.session import NullSession, TimedSession
from harness.scenarios.stability import stability_snapshot

__all__ = [
    "Engine", "NullSession", "Profile", "ScenarioConfig", "ScenarioName", "ScenarioResult",
    "TimedSession", "apply_profile", "bare_loop_ns", "measure_overhead_ns", "run_scenario",
    "run_trials", "search_max_qps", "stability_snapshot",
]
