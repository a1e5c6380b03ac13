"""Faulty backends: each wraps the real onnxruntime backend and breaks in one specific way."""

from __future__ import annotations

import os
import signal
import time
from typing import ClassVar

import numpy as np

from harness.backends.base import Session
from harness.backends.onnxruntime_backend import OnnxRuntimeBackend
from harness.core.artifact import Artifact


class _Wrapped(Session):
    def __init__(self, inner: Session, on_run) -> None:
        self.inner, self.on_run, self.calls = inner, on_run, 0

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.calls += 1
        self.on_run(self.calls)
        return self.inner.run(inputs)

    def describe(self) -> dict:
        return self.inner.describe()


class SegfaultBackend(OnnxRuntimeBackend):
    """Dies with SIGSEGV on the 50th inference, as a buggy vendor runtime would."""

    name: ClassVar[str] = "segfault"

    def load(self, artifact: Artifact) -> Session:
        def crash(calls: int) -> None:
            if calls >= 50:
                os.kill(os.getpid(), signal.SIGSEGV)

        return _Wrapped(super().load(artifact), crash)


class HangingBackend(OnnxRuntimeBackend):
    """Never returns from session creation (a driver that deadlocks)."""

    name: ClassVar[str] = "hang"

    def load(self, artifact: Artifact) -> Session:
        while True:
            time.sleep(1)


class RaisingBackend(OnnxRuntimeBackend):
    """Raises a plain RuntimeError from inside run(), as a runtime bug would."""

    name: ClassVar[str] = "raising"

    def load(self, artifact: Artifact) -> Session:
        def fail(calls: int) -> None:
            raise RuntimeError("vendor runtime: internal error 0xdead")

        return _Wrapped(super().load(artifact), fail)


class GreedyBackend(OnnxRuntimeBackend):
    """Allocates memory without bound while loading (a leak), to trip the memory cap."""

    name: ClassVar[str] = "greedy"

    def load(self, artifact: Artifact) -> Session:
        hoard = []
        while True:
            hoard.append(np.ones(16 * 2**20, dtype=np.uint8))
            time.sleep(0.01)


class NotABackend:
    """Not derived from Backend: must be refused by the registry."""


class _Poisoned(Session):
    """Returns the real outputs with `poison` applied: a backend that computes garbage."""

    def __init__(self, inner: Session, poison) -> None:
        self.inner, self.poison = inner, poison

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [self.poison(np.array(out, copy=True)) for out in self.inner.run(inputs)]

    def describe(self) -> dict:
        return self.inner.describe()


class NaNBackend(OnnxRuntimeBackend):
    """Returns all-NaN outputs (a broken kernel, uninitialised device memory)."""

    name: ClassVar[str] = "nan"

    def load(self, artifact: Artifact) -> Session:
        return _Poisoned(super().load(artifact), lambda out: np.full_like(out, np.nan))


class InfBackend(OnnxRuntimeBackend):
    """Returns the real outputs but with +inf as the first element of each output (overflow)."""

    name: ClassVar[str] = "inf"

    def load(self, artifact: Artifact) -> Session:
        def poison(out: np.ndarray) -> np.ndarray:
            out.reshape(-1)[0] = np.inf
            return out

        return _Poisoned(super().load(artifact), poison)
