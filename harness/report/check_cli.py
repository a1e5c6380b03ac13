"""Exit 1 when a metric regressed beyond a threshold against a saved baseline folder (for CI).

Runs are matched on model × quant × target × scenario. A metric regresses when it is worse than
the baseline by more than --threshold (latency and energy higher, throughput lower) AND the two
95% intervals do not overlap; a change beyond the threshold but within noise is reported, not
failed. Throughput has no interval and fails on the threshold alone. Prints one verdict line per
matched run; writes no files (run `harness compare` for the tables).

Exit status: 0 when nothing regressed, 1 when something did or no run matches the baseline,
2 for a usage or input error.

examples:
  harness check results/new --against results/baseline
  harness check results/new --against results/baseline --threshold 5% --metric p90
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.report.compare_cli import WHERE_HELP, selected_runs
from harness.report.load import load_runs
from harness.report.regression import (
    CHECK_METRICS,
    MATCH_KEYS,
    check,
    check_metric,
    parse_threshold,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of `harness check` to `p`."""
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER",
                   help="results folders with the runs to check")
    p.add_argument("--against", type=Path, required=True, metavar="BASELINE_DIR",
                   help="results folder of the baseline runs")
    p.add_argument("--threshold", default="10%",
                   help="regression threshold, e.g. 10%% or 0.1 (default: 10%%)")
    p.add_argument("--metric", default="p50",
                   help=f"metric to check: {', '.join(CHECK_METRICS)} (default: p50)")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE", help=WHERE_HELP)


def run(args: argparse.Namespace) -> int:
    """Print a verdict per matched run; return 1 when anything regressed or nothing matched."""
    metric, threshold = check_metric(args.metric), parse_threshold(args.threshold)
    runs = selected_runs(args.folders, args.where)
    verdicts = check(runs, load_runs([args.against]), metric, threshold)
    if not verdicts:
        print(f"check: no run matches one in {args.against} on {'×'.join(MATCH_KEYS)}",
              file=sys.stderr)
        return 1
    for v in verdicts:
        state = "REGRESSED" if v.regressed else ("within noise" if v.within_noise else "ok")
        print(f"{state:>12}  {v.key}: {metric} {v.baseline:.4g} -> {v.current:.4g} "
              f"({v.change:+.1%}, threshold {threshold:.0%})")
    bad = sum(v.regressed for v in verdicts)
    print(f"check: {bad} of {len(verdicts)} regressed beyond {threshold:.0%}", file=sys.stderr)
    return 1 if bad else 0
