"""What a backend changes for a cold start in a fresh process: target options and environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ColdSettings:
    """Target options merged over the run's own, and environment variables, for one fresh process.

    Backends return these from `Backend.cold_start_settings`: the runtime's compiled-model cache
    switched on (at a given folder) or off, and instrumentation a deployment would not pay for
    (e.g. onnxruntime's placement profiling) switched off."""

    options: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
