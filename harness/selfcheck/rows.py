"""One row of the self-check table: our figure, the reference figure, the target, the verdict."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.core import stats

PASS, FAIL, ERROR, INFO = "PASS", "FAIL", "ERROR", "INFO"


@dataclass
class CheckRow:
    """A check's outcome; `ratio` is ours / reference, `diff` is ours - reference (unit)."""

    check: str
    ours: float | None
    reference: float | None
    unit: str
    target: str
    status: str
    ratio: float | None = None
    diff: float | None = None
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the row as plain JSON-ready data."""
        return asdict(self)


def ratio_row(check: str, ours: float, reference: float, unit: str, tolerance: float,
              detail: dict[str, Any] | None = None,
              pair_ratios: Sequence[float] | None = None) -> CheckRow:
    """Return a row that passes when the ratio is within 1 +- tolerance.

    With pair_ratios (ours / reference within each interleaved pair) the ratio is their
    median, which cancels drift between pairs; otherwise it is ours / reference.
    """
    of_medians = ours / reference if reference else float("inf")
    ratio = float(statistics.median(pair_ratios)) if pair_ratios else of_medians
    ok = abs(ratio - 1.0) <= tolerance
    extra = {"ratio_of_medians": of_medians, "pair_ratios": list(pair_ratios or []),
             "ratio_ci95": median_ci(pair_ratios or [])}
    return CheckRow(check, ours, reference, unit, f"ratio within 1 ± {tolerance:.0%}",
                    PASS if ok else FAIL, ratio=ratio, diff=ours - reference,
                    detail={**(detail or {}), **extra})


def median_ci(values: Sequence[float], confidence: float = 0.95) -> list[float] | None:
    """Return the distribution-free CI of the median (order statistics), or None if too few."""
    ranks = stats.percentile_ci_ranks(len(values), 0.5, confidence) if values else None
    if ranks is None:
        return None
    ordered = sorted(values)
    return [float(ordered[ranks[0] - 1]), float(ordered[ranks[1] - 1])]


def info_row(check: str, ours: float, reference: float, unit: str, note: str,
             detail: dict[str, Any] | None = None,
             pair_ratios: Sequence[float] | None = None) -> CheckRow:
    """Return a context row (no verdict): the ratio, and in `target` what explains it."""
    row = ratio_row(check, ours, reference, unit, 0.0, detail, pair_ratios)
    row.status, row.target = INFO, note
    return row


def limit_row(check: str, ours: float, limit: float, unit: str, reference: float | None = None,
              inclusive: bool = False, detail: dict[str, Any] | None = None) -> CheckRow:
    """Return a row that passes when ours is below the limit (or equal, if inclusive)."""
    diff = ours - reference if reference is not None else None
    ok = ours <= limit if inclusive else ours < limit
    return CheckRow(check, ours, reference, unit, f"{'≤' if inclusive else '<'} {limit:g} {unit}",
                    PASS if ok else FAIL, diff=diff, detail=detail or {})


def error_row(check: str, reason: str) -> CheckRow:
    """Return the row of a check that could not be measured, with the reason."""
    return CheckRow(check, None, None, "", "", ERROR, reason=reason)
