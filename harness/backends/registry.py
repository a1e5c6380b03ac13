"""The backend registry: built-ins and plugins alike come through `harness.backends`."""

from __future__ import annotations

from harness.backends.base import Backend
from harness.backends.config import TargetConfig
from harness.core.registry import Registry

BACKENDS: Registry[Backend] = Registry("backend", Backend, group="harness.backends")


def create_backend(target: TargetConfig) -> Backend:
    """Return the configured backend instance (its options already validated)."""
    return BACKENDS.get(target.backend)(target)
