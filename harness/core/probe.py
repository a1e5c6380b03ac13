"""Probe: whether a plugin (backend, meter, engine) can run here and, if not, why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    """Whether something can run here and, if not, why and how to fix it; warnings don't stop it."""

    available: bool
    reason: str = ""
    warnings: tuple[str, ...] = ()
