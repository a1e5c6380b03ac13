"""The scenario-engine registry: built-ins and plugins alike come through `harness.engines`.

An engine drives the load of one trial. Its contract is one callable,
`engine(session, samples, cfg, window, log_dir) -> Measurement`: warm up, then run cfg's
scenario on `session` over `samples`, entering `window` (or none) once around the timed region;
`log_dir` (or None) is where it may keep its own logs. The built-ins are `native` (the harness's
own loop) and `loadgen` (MLPerf LoadGen).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from harness.core.errors import ConfigError, unknown_name
from harness.core.registry import Registry

if TYPE_CHECKING:
    from harness.scenarios.config import ScenarioConfig
    from harness.scenarios.result import Measurement
    from harness.scenarios.session import TimedSession


class ScenarioEngine(Protocol):
    """What every registered engine is: a callable running one trial."""

    def __call__(self, session: TimedSession, samples: Sequence[dict[str, np.ndarray]],
                 cfg: ScenarioConfig, window: AbstractContextManager | None,
                 log_dir: Path | None) -> Measurement:
        """Return the measurement of one trial of cfg's scenario on session."""
        ...


ENGINES: Registry[ScenarioEngine] = Registry("scenario engine", None, group="harness.engines")


def engine_names() -> list[str]:
    """Return every valid `scenario.engine`, built-in and plugin, sorted."""
    return ENGINES.names()


def check_engine(name: str) -> str:
    """Return `name` if it is a registered engine (or a module:function path), else raise."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"scenario.engine={name!r} is not an engine name.",
                          f"Use one of: {', '.join(engine_names())}.")
    if ":" in name or name in ENGINES:
        return name
    if not engine_names():  # an install made before the group existed has none
        raise ConfigError("No scenario engines are registered (harness.engines is empty).",
                          "Reinstall the harness so its entry points are current: "
                          "`pip install -e .`.")
    raise unknown_name("scenario engine", name, engine_names())


def get_engine(name: str) -> ScenarioEngine:
    """Return the engine registered as `name`, imported now; errors say what to do."""
    return ENGINES.get(str(name))
