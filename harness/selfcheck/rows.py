"""One row of the self-check table: our figure, the reference figure, the target, the verdict."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

PASS, FAIL, ERROR = "PASS", "FAIL", "ERROR"


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
    extra = {"ratio_of_medians": of_medians, "pair_ratios": list(pair_ratios or [])}
    return CheckRow(check, ours, reference, unit, f"ratio within 1 ± {tolerance:.0%}",
                    PASS if ok else FAIL, ratio=ratio, diff=ours - reference,
                    detail={**(detail or {}), **extra})


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
