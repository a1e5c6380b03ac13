"""Deliberately dishonest sessions (`target.options.cheat=…`), for proving the audits work.

Nothing here is for benchmarking: each mode is a way a backend could post a fast number
without doing the work, and `harness audit` must FAIL each one (docs/audit.md):

- `cache`: remembers outputs by a hash of the input bytes and returns them for a repeated
  input without running the graph (caught by the caching audit, MLPerf TEST04);
- `stale`: honest for the first `cheat_after` runs (enough to pass an accuracy check), then
  returns the last computed output without running (caught by accuracy in performance mode,
  MLPerf TEST01, and by the skipped-work audit);
- `constant`: runs the graph once and returns that output for every input (caught by the
  skipped-work audit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

CHEATS = ("none", "cache", "stale", "constant")
Run = Callable[[dict[str, np.ndarray]], list[np.ndarray]]


def input_key(inputs: dict[str, np.ndarray]) -> bytes:
    """Return a digest of the inputs' names, shapes, dtypes and bytes."""
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(inputs):
        arr = np.ascontiguousarray(inputs[name])
        digest.update(f"{name}{arr.shape}{arr.dtype}".encode())
        digest.update(arr.data)
    return digest.digest()


class Cheat:
    """Wraps the honest run() of a session with one dishonest mode."""

    def __init__(self, mode: str, honest_runs: int) -> None:
        self.mode = mode
        self.honest_runs = honest_runs
        self.calls = 0
        self.cache: dict[bytes, list[np.ndarray]] = {}
        self.last: list[np.ndarray] | None = None

    def run(self, honest: Run, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Return the outputs the mode hands back for `inputs` (running `honest` when it must)."""
        self.calls += 1
        if self.mode == "cache":
            key = input_key(inputs)
            if key not in self.cache:
                self.cache[key] = honest(inputs)
            return self.cache[key]
        if self.mode == "constant" and self.last is not None:
            return self.last
        if self.mode == "stale" and self.last is not None and self.calls > self.honest_runs:
            return self.last
        self.last = honest(inputs)
        return self.last
