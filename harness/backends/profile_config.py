"""ProfileConfig: the `profile` config node (per-operator profile after the timed trials)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.core.ranges import at_least, check_fields

PROFILE_RANGES = {"runs": at_least(1), "warmup_runs": at_least(0)}


@dataclass
class ProfileConfig:
    """Whether and how long to profile operators, after the trials, in a session of its own.

    enabled: true / false; null profiles int8 runs only (quant recipes int8_*), so every int8
      record says how much of its time ran in int8 kernels.
    runs: inferences profiled, on the run's own prepared inputs (the ones the trials used).
    warmup_runs: inferences run first and left out of the profile.
    """

    enabled: bool | None = None
    runs: int = 20
    warmup_runs: int = 2

    def __post_init__(self) -> None:
        check_fields(self, "profile", PROFILE_RANGES)

    def wanted(self, recipe: str) -> bool:
        """Return whether a run with quantisation `recipe` takes a profile."""
        if self.enabled is None:
            return str(getattr(recipe, "value", recipe)).startswith("int8")
        return self.enabled
