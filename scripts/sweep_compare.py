"""Compare sweeps of two code versions cell by cell, against the noise between runs.

Usage:
    python scripts/sweep_compare.py BEFORE_DIR AFTER_DIR [--tolerance 0.03]
    python scripts/sweep_compare.py --before A1 A2 A3 --after B1 B2 B3 [--tolerance 0.03]

With one sweep a side, a cell holds when the two p50 95% intervals overlap or the p50s differ by
at most the tolerance. With several sweeps a side (run them interleaved: A B B A ...), a cell
holds when the median of the after p50s lies within the range of the before p50s widened by the
tolerance, or the two medians differ by at most the tolerance. Prints a markdown table keyed by
model/quant/target/scenario; exits 1 when a cell changed status or moved beyond that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from harness.records.io import iter_records
from harness.records.schema import RunRecord

Key = tuple[str, ...]
P50 = tuple[float, float, float]  # value, interval low, interval high (ms)


def _cells(folder: Path) -> dict[Key, RunRecord]:
    cells = {}
    for record in iter_records(folder):
        config = record.config
        key = tuple(str((config.get(part) or {}).get("name")) for part in
                    ("model", "quant", "target", "scenario"))
        cells[key] = record
    return cells


def _p50(record: RunRecord | None) -> P50 | None:
    estimate = record.scenario.percentile("p50") if record else None
    if estimate is None:
        return None
    return estimate.value_ns / 1e6, estimate.ci_low_ns / 1e6, estimate.ci_high_ns / 1e6


def fmt(p50s: list[P50]) -> str:
    """Return one sweep's p50 with its interval, or several sweeps' p50s, as table text (ms)."""
    if not p50s:
        return "-"
    if len(p50s) == 1:
        value, low, high = p50s[0]
        return f"{value:.4f} [{low:.4f}, {high:.4f}]"
    return " ".join(f"{p[0]:.4f}" for p in p50s)


def verdict(before: list[P50], after: list[P50], tolerance: float) -> tuple[float, bool, str]:
    """Return (after/before ratio of medians, held, why) for one cell."""
    med_b = statistics.median(p[0] for p in before)
    med_a = statistics.median(p[0] for p in after)
    ratio = med_a / med_b
    close = abs(ratio - 1) <= tolerance
    if len(before) == 1 and len(after) == 1:
        (_, b_lo, b_hi), (_, a_lo, a_hi) = before[0], after[0]
        overlap = b_lo <= a_hi and a_lo <= b_hi
        return ratio, overlap or close, ("intervals overlap" if overlap else "") + (
            " ≤tol" if close else "")
    low = min(p[0] for p in before) * (1 - tolerance)
    high = max(p[0] for p in before) * (1 + tolerance)
    inside = low <= med_a <= high
    return ratio, inside or close, ("within before runs' range" if inside else "") + (
        " ≤tol" if close else "")


def main() -> int:
    """Print the comparison table and return 1 when a cell moved beyond noise."""
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", type=Path, nargs="*", help="BEFORE_DIR AFTER_DIR")
    parser.add_argument("--before", type=Path, nargs="+", default=[])
    parser.add_argument("--after", type=Path, nargs="+", default=[])
    parser.add_argument("--tolerance", type=float, default=0.03)
    args = parser.parse_args()
    before_dirs = args.before or args.dirs[:1]
    after_dirs = args.after or args.dirs[1:2]
    if not before_dirs or not after_dirs:
        parser.error("give BEFORE_DIR AFTER_DIR, or --before DIR... --after DIR...")
    befores = [_cells(d) for d in before_dirs]
    afters = [_cells(d) for d in after_dirs]
    keys = sorted(set().union(*befores, *afters), key=str)
    print("| cell | status | p50 before ms | p50 after ms | ratio | verdict |")
    print("|---|---|---|---|---|---|")
    moved = 0
    for key in keys:
        rb = [c.get(key) for c in befores]
        ra = [c.get(key) for c in afters]
        statuses = {("missing" if r is None else r.status.value) for r in rb + ra}
        pb = [p for p in map(_p50, rb) if p]
        pa = [p for p in map(_p50, ra) if p]
        ratio_text = "-"
        if len(statuses) > 1:
            why, moved = "STATUS CHANGED", moved + 1
        elif not pb or not pa:
            why = "no p50 (same status)"
        else:
            ratio, held, why = verdict(pb, pa, args.tolerance)
            ratio_text = f"{ratio:.3f}"
            if not held:
                why, moved = "MOVED", moved + 1
        print(f"| {'/'.join(key)} | {'/'.join(sorted(statuses))} | {fmt(pb)} | {fmt(pa)} | "
              f"{ratio_text} | {why.strip()} |")
    ratios = [statistics.median(p[0] for p in pa) / statistics.median(p[0] for p in pb)
              for key in keys
              if (pb := [p for p in (_p50(c.get(key)) for c in befores) if p])
              and (pa := [p for p in (_p50(c.get(key)) for c in afters) if p])]
    median = f"{statistics.median(ratios):.3f}" if ratios else "-"
    print(f"\n{len(keys)} cells, {moved} moved beyond noise or changed status; "
          f"median after/before ratio {median}")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
