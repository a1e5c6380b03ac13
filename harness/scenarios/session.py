"""The session contract every backend implements, and a null session for overhead checks."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class TimedSession(Protocol):
    """Anything that can run one inference and wait for its device work."""

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference (inputs may hold a batch) and return the outputs."""
        ...

    def synchronize(self) -> None:
        """Block until all device work issued so far is done (no-op on CPU)."""
        ...


class NullSession:
    """A session that does nothing: timing it measures the harness's own loop."""

    _EMPTY: list[np.ndarray] = []

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Return an empty output list immediately."""
        return self._EMPTY

    def synchronize(self) -> None:
        """Return immediately."""
