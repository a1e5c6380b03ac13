"""The backend registry: built-ins and plugins alike come through `harness.backends`."""

from __future__ import annotations

from harness.backends.base import Backend
from harness.backends.config import TargetConfig
from harness.core.errors import BackendUnavailable
from harness.core.registry import Registry

BACKENDS: Registry[Backend] = Registry("backend", Backend, group="harness.backends")


def create_backend(target: TargetConfig) -> Backend:
    """Return the configured backend instance (its options already validated)."""
    return BACKENDS.get(target.backend)(target)


def check_target(target: TargetConfig) -> None:
    """Validate `target.backend` and `target.options` before any work (ConfigError with the fix).

    A backend whose runtime is not installed here is left to the run, which records it as
    skipped with the reason."""
    try:
        backend = BACKENDS.get(target.backend)
    except BackendUnavailable:
        return
    backend.parse_options(target.options)
