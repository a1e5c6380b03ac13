"""An audit's verdict: PASS, FAIL or INCONCLUSIVE, with the reason and the figures behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from harness.core import stats


class Verdict(str, Enum):
    """The outcome of one audit; INCONCLUSIVE when the noise is too large to decide."""

    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"


@dataclass(frozen=True)
class AuditResult:
    """One audit on one configuration: verdict, one-sentence reason, the numbers it used."""

    audit: str
    verdict: Verdict
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON types."""
        return {"audit": self.audit, "verdict": self.verdict.value, "reason": self.reason,
                "figures": self.figures}


def median_ci(values: np.ndarray | list[float], confidence: float
              ) -> tuple[float, float, float] | None:
    """Return (median, low, high): the distribution-free order-statistic interval of the
    median of `values`, or None when there are too few values for that confidence."""
    arr = np.sort(np.asarray(values, dtype=np.float64))
    ranks = stats.percentile_ci_ranks(arr.size, 0.5, confidence)
    if ranks is None:
        return None
    return float(np.median(arr)), float(arr[ranks[0] - 1]), float(arr[ranks[1] - 1])
