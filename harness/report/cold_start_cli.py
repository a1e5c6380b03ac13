"""Per-phase cold-start tables (markdown) from scenario=cold_start records.

Per model and target, cache off and on: the median and 95% interval (ms) of each phase of a
fresh process (interpreter, the runtime's import, the harness adapter, load/compile, first
inference, total), the artifact's size, the cache's files and what the cache saves (the median
of the paired per-trial differences, in ms and % of the off total). Reads the JSON records.

examples:
  harness cold-start results/
  harness cold-start results/cold > docs/cold_start_raw.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.report.cold_start_tables import tables
from harness.report.load import load_runs


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of `harness cold-start` to `p`."""
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER",
                   help="results folders holding scenario=cold_start records")


def run(args: argparse.Namespace) -> int:
    """Print the tables; return 0 (1 when the folders hold no cold-start record)."""
    text = tables(run.record for run in load_runs(args.folders))
    print(text or "No scenario=cold_start records in those folders.")
    return 0 if text else 1
