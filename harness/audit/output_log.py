"""A session wrapper that logs the outputs of a seeded random subset of timed queries.

MLPerf TEST01 has LoadGen write the responses of a random subset of the performance run's
samples to the accuracy log; this wrapper does the same inside our own timing loop, so what
is logged is what the backend returned while it was being timed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Inputs = dict[str, np.ndarray]
DRAWS = 1 << 16  # pre-drawn log decisions, cycled: no random draw inside the timed loop


class OutputLog:
    """Wraps a session; run() logs (sample index, outputs) with probability `probability`.

    Samples are recognised by identity: the engine passes the very dicts it was given."""

    def __init__(self, session: Any, samples: Sequence[Inputs], probability: float,
                 seed: int) -> None:
        self.session = session
        self.index = {id(s): i for i, s in enumerate(samples)}
        self.draws = (np.random.default_rng((seed, 7)).random(DRAWS) < probability).tolist()
        self.calls = 0
        self.logged: list[tuple[int, list[np.ndarray]]] = []
        self.unknown = 0  # runs on inputs that are not one of the samples (stacked batches)

    def run(self, inputs: Inputs) -> list[np.ndarray]:
        """Run the wrapped session; copy the outputs into the log when this call is drawn."""
        outputs = self.session.run(inputs)
        if self.draws[self.calls % DRAWS]:
            index = self.index.get(id(inputs))
            if index is None:
                self.unknown += 1
            else:
                self.logged.append((index, [np.array(o, copy=True) for o in outputs]))
        self.calls += 1
        return outputs

    def synchronize(self) -> None:
        """Wait for the wrapped session's device work."""
        self.session.synchronize()
