"""Compare two sweeps' p50 cell by cell: within the 95% intervals, or within a relative tolerance.

Usage: python scripts/sweep_compare.py BEFORE_DIR AFTER_DIR [--tolerance 0.03]
Prints a markdown table keyed by model/quant/target/scenario and a one-line verdict; exits 1
when a cell's status changed or its p50 moved beyond both its intervals and the tolerance.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.records.io import iter_records


def _cells(folder: Path) -> dict[tuple, object]:
    cells = {}
    for record in iter_records(folder):
        config = record.config
        key = tuple(str((config.get(part) or {}).get("name")) for part in
                    ("model", "quant", "target", "scenario"))
        cells[key] = record
    return cells


def _status(record) -> str:
    return "missing" if record is None else record.status.value


def _p50(record) -> tuple[float, float, float] | None:
    estimate = record.scenario.percentile("p50")
    if estimate is None:
        return None
    return estimate.value_ns / 1e6, estimate.ci_low_ns / 1e6, estimate.ci_high_ns / 1e6


def fmt(p50: tuple[float, float, float] | None) -> str:
    """Return a p50 and its interval (ms) as table text."""
    return "-" if p50 is None else f"{p50[0]:.4f} [{p50[1]:.4f}, {p50[2]:.4f}]"


def main() -> int:
    """Print the comparison table and return 1 when a cell moved beyond noise."""
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.03)
    args = parser.parse_args()
    before, after = _cells(args.before), _cells(args.after)
    print("| cell | status | p50 before ms [95% CI] | p50 after ms [95% CI] | ratio | verdict |")
    print("|---|---|---|---|---|---|")
    moved = 0
    for key in sorted(set(before) | set(after), key=str):
        a, b = before.get(key), after.get(key)
        status = f"{_status(a)}->{_status(b)}"
        pa, pb = (_p50(a) if a else None), (_p50(b) if b else None)
        if a is None or b is None or a.status != b.status:
            verdict = "STATUS CHANGED"
            moved += 1
        elif pa is None or pb is None:
            verdict = "no p50 (same status)"
        else:
            overlap = pa[1] <= pb[0] <= pa[2] or pb[1] <= pa[0] <= pb[2]
            ratio = pb[0] / pa[0]
            within = abs(ratio - 1) <= args.tolerance
            verdict = ("in CI" if overlap else "") + (" ≤tol" if within else "")
            if not (overlap or within):
                verdict = "MOVED"
                moved += 1
        ratio_text = f"{pb[0] / pa[0]:.3f}" if pa and pb else "-"
        print(f"| {'/'.join(map(str, key))} | {status} | {fmt(pa)} | {fmt(pb)} | "
              f"{ratio_text} | {verdict.strip()} |")
    print(f"\n{len(set(before) | set(after))} cells, {moved} moved beyond noise or changed status")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
