"""Audit settings: log sampling, tolerances, repeat blocks; validated before any work."""

from __future__ import annotations

from dataclasses import dataclass

from harness.core.errors import ConfigError

AUDITS = ("accuracy_in_performance", "caching", "skipped_work")


@dataclass(frozen=True)
class AuditConfig:
    """How the audits sample, time and judge (defaults: docs/audit.md explains each)."""

    #: TEST01: chance that a timed query's outputs are logged (MLPerf samples a subset too).
    log_probability: float = 0.1
    #: TEST01 tolerance: logged outputs must have this centered cosine (fidelity.py) with the
    #: accuracy run's outputs of the same inputs, and the same top-1 for classifiers.
    min_centered_cosine: float = 0.999
    #: TEST04: rounds of (repeated-input block, unique-input block), queries per block.
    rounds: int = 20
    block_queries: int = 50
    #: TEST04: repeats more than this much faster (median unique / repeat latency) fail.
    max_repeat_speedup: float = 1.10
    confidence: float = 0.95
    #: Skipped work: outputs must vary across inputs at least this share of the FP32 model's
    #: variation, and no more than this share of distinct inputs may repeat another's output.
    min_spread_ratio: float = 0.5
    max_repeat_fraction: float = 0.1
    #: Distinct inputs of the accuracy run (the loaded sample set of the timed run).
    samples: int = 64

    def __post_init__(self) -> None:
        checks = {
            "log_probability": 0 < self.log_probability <= 1,
            "min_centered_cosine": -1 <= self.min_centered_cosine <= 1,
            "rounds": self.rounds >= 6, "block_queries": self.block_queries >= 3,
            "max_repeat_speedup": self.max_repeat_speedup >= 1,
            "confidence": 0 < self.confidence < 1,
            "min_spread_ratio": 0 <= self.min_spread_ratio <= 1,
            "max_repeat_fraction": 0 <= self.max_repeat_fraction < 1,
            "samples": self.samples >= 8,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            named = ", ".join(f"{n}={getattr(self, n)!r}" for n in bad)
            raise ConfigError(f"Bad audit setting: {named}.",
                              "Valid: log_probability in (0, 1], rounds >= 6 (a median's 95% "
                              "interval needs 6), block_queries >= 3, max_repeat_speedup >= 1, "
                              "confidence in (0, 1), samples >= 8; see docs/audit.md.")
