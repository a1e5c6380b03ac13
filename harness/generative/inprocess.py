"""What engines that load a model into this process share: the session's close() under its lock,
describe()'s weights label, and the probe and version read from the runtime's Python modules."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from harness.core.probe import Probe
from harness.generative.config import GenModelConfig
from harness.generative.engine import GenerativeSession


def weights_label(cfg: GenModelConfig) -> str:
    """Return describe()'s `weights`: 'local folder' for model.path, else 'random (seeded)'."""
    return "local folder" if cfg.path else "random (seeded)"


class LoadedModelSession(GenerativeSession):
    """A session whose runtime model is `self.model`, guarded by `self._lock` (set in __init__)."""

    model: Any
    _lock: threading.Lock

    def close(self) -> None:
        """Drop the model."""
        with self._lock:
            self.model = None


def probe_modules(required: Sequence[tuple[str, str]], available: str,
                  imported: Collection[str] = ()) -> Probe:
    """Return unavailable for the first (module, name) of `required` that is not installed, or,
    for a module in `imported`, does not import; else available with the reason `available`."""
    for module, name in required:
        if find_spec(module) is None:
            return Probe(False, f"{name} is not installed")
        if module in imported:
            try:
                import_module(module)
            except Exception as exc:  # a wheel built for another runtime version raises here
                return Probe(False, f"{module} does not import ({exc})")
    return Probe(True, available)


def module_version(module: str) -> str:
    """Return the `__version__` of the runtime's Python module `module`."""
    return str(import_module(module).__version__)
