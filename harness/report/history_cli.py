"""Show one latency percentile across harness commits and runtime versions, noise marked.

One table per series (model × quant × target × scenario × host); one row per version (harness
commit, backend, backend version) in the order it first ran. A step is 'slower ×r' or
'faster ×r' only when the 95% intervals of consecutive versions do not overlap, else '≈ within
noise'. Reads the results stores (records.duckdb) in or under the folders; --json reads the JSON
records instead (same answer, slower at scale).

examples:
  harness history results/
  harness history results/ --metric p90 --where model=resnet8 --where target=openvino_cpu
  harness history results/ --json
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import groupby
from pathlib import Path

from rich.table import Table

from harness.report.history import (
    KEYS,
    METRICS,
    SERIES,
    Point,
    parse_where,
    points_from_runs,
    points_from_store,
    step_mark,
)
from harness.report.load import load_runs
from harness.report.summary import wide_console

HEADERS = {"harness_commit": "harness commit", "backend": "backend", "version": "version",
           "runs": "runs", "value": "ms", "ci": "typical 95% CI", "step": "vs previous"}
LEGEND = ("ms: median over the version's runs of the percentile; typical 95% CI: the median of "
          "those runs' own intervals; a step is a change only when consecutive intervals do not "
          "overlap.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of `harness history` to `p`."""
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER",
                   help="results folders (or records.duckdb files)")
    p.add_argument("--metric", default="p50", choices=METRICS, help="latency percentile")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                   help=f"keep runs with this value (repeatable); keys: {', '.join(KEYS)}")
    p.add_argument("--json", action="store_true",
                   help="read the JSON records, not the results store")
    p.add_argument("--max-series", type=int, default=50, help="series printed")


def history_points(args: argparse.Namespace) -> list[Point]:
    """Return the points of parsed `harness history` arguments: from the results stores, or
    from the JSON records with --json."""
    where = parse_where(args.where)
    if args.json:
        return points_from_runs(load_runs(args.folders), args.metric, where)
    return points_from_store(args.folders, args.metric, where)


def run(args: argparse.Namespace) -> int:
    """Print the history tables; return 0."""
    start = time.perf_counter()
    points = history_points(args)
    console, shown = wide_console(), 0
    for series, members in groupby(points, key=lambda p: p.series):
        shown += 1
        if shown > args.max_series:
            continue
        rows, previous = [], None
        for point in members:
            commit, backend, version = point.version
            rows.append({"harness_commit": commit[:12], "backend": backend, "version": version,
                         "runs": point.runs, "value": f"{point.value_ms:.4g}",
                         "ci": f"{point.low_ms:.4g}–{point.high_ms:.4g}",
                         "step": step_mark(previous, point)})
            previous = point
        named = zip(SERIES, series, strict=True)
        title = f"{args.metric}: " + " · ".join(f"{k}={v}" for k, v in named if v)
        table = Table(title=title, caption=LEGEND, caption_justify="left")
        for header in HEADERS.values():
            table.add_column(header, overflow="fold")
        for row in rows:
            style = "red" if row["step"].startswith("slower") else None
            table.add_row(*(str(row[k]) for k in HEADERS), style=style)
        console.print(table)
    if shown > args.max_series:
        console.print(f"... {shown - args.max_series} more series; narrow them with --where")
    source = "JSON records" if args.json else "results store"
    print(f"{len(points)} points in {shown} series from the {source} in "
          f"{time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0
