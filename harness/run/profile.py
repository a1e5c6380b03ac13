"""The operator profile of a run: after the trials, in a session of its own, on the run's inputs.

The profiled session is a separate one (TrialSessions.after_trials), loaded after the last
trial's session is closed, so a runtime's profiler never slows a timed query. It runs the same
prepared inputs the trials ran (a model whose control flow depends on an input's value takes
the same branches), `warmup_runs` of them left out, then `runs` profiled ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.backends.base import Backend
from harness.backends.profile import NoOperatorProfile
from harness.backends.profile_config import ProfileConfig
from harness.backends.profile_summary import profile_json, summarise
from harness.core.artifact import Artifact
from harness.core.errors import HarnessError, reason_of
from harness.records.builder import RunBuilder
from harness.records.io import RUN_FILES, write_json_atomic
from harness.run.sessions import TrialSessions

PROFILE_FILE = "profile.json"
#: Runtime errors a profiler may raise; the timed result stands and the record says why.
_PROFILE_ERRORS = (HarnessError, RuntimeError, ValueError, OSError)


def _profile_section(backend: Backend, artifact: Artifact, sessions: TrialSessions,
                     samples: Sequence[dict[str, np.ndarray]], cfg: ProfileConfig,
                     folder: Path, run_id: str) -> dict:
    if backend.profiler is None:
        return {"reason": f"no operator profile for {backend.name}"}
    try:
        session = sessions.after_trials(lambda: backend.load_profiled(artifact))
        for i in range(cfg.warmup_runs):
            session.run(samples[i % len(samples)])
        session.begin_profile()
        for i in range(cfg.runs):
            session.run(samples[(cfg.warmup_runs + i) % len(samples)])
        session.synchronize()
        profile = session.end_profile(folder)
    except NoOperatorProfile as exc:
        return {"reason": exc.message}
    write_json_atomic(folder / PROFILE_FILE, profile_json(profile))
    section = summarise(profile, quantised=artifact.precision.startswith("int"))
    base = f"{RUN_FILES}/{run_id}"
    return {**section, "path": f"{base}/{PROFILE_FILE}",
            "trace_files": [f"{base}/{name}" for name in profile.trace_files]}


def take_profile(run: RunBuilder, backend: Backend, artifact: Artifact, sessions: TrialSessions,
                 samples: Sequence[dict[str, np.ndarray]], cfg: ProfileConfig,
                 out_dir: Path) -> None:
    """Profile operators after the trials and set the record's `profile` section (phase
    "profile", in s). A profiler that fails leaves the reason and a warning, never a failed
    run: the timed trials are already complete."""
    folder = out_dir / RUN_FILES / run.run_id
    with run.phase("profile"):
        try:
            section = _profile_section(backend, artifact, sessions, samples, cfg, folder,
                                       run.run_id)
        except _PROFILE_ERRORS as exc:
            section = {"reason": f"profiling failed: {reason_of(exc)}"}
            run.warnings.append(f"The operator profile failed ({reason_of(exc)}); the timed "
                                "results are unaffected. Set profile.enabled=false to skip it.")
    run.set(profile=section)
