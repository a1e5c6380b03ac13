"""Manage the results store (records.duckdb), the DuckDB index of the JSON run records.

Every record harness-bench writes is also indexed in records.duckdb beside it (when the `store`
extra is installed). The JSON stays the source of truth: `rebuild` recreates the index from it,
e.g. after copying folders from other machines, or to build one index over a whole tree.

examples:
  harness store rebuild results/default/<ts>
  harness store rebuild results/ --store results/records.duckdb
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.records.store import STORE_NAME
from harness.report.store_load import rebuild


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of `harness store` to `p`."""
    p.add_argument("action", choices=["rebuild"], help="rebuild: recreate the index from JSON")
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER",
                   help="results folders whose JSON records to index (recursively)")
    p.add_argument("--store", type=Path, metavar="FILE",
                   help=f"the store to write (default: FOLDER/{STORE_NAME} of the first folder)")


def run(args: argparse.Namespace) -> int:
    """Rebuild the store from the JSON records; return 0."""
    target = args.store or args.folders[0] / STORE_NAME
    count, seconds = rebuild(args.folders, target)
    print(f"{count} records indexed in {target} in {seconds:.2f} s", file=sys.stderr)
    return 0
