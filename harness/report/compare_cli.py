"""Compare run records from any number of results folders (searched recursively).

Runs are joined by model × quant × scenario; ratios against the baseline are marked '≈' when the
two 95% intervals overlap. Prints one table per group and writes compare.md and compare.csv
(plus report.html with --html, compare.benchmark.json with --pytest-benchmark).

examples:
  harness compare results/default/<ts>
  harness compare results/a results/b --baseline target=cpu --html
  harness compare results/a --where quant.name=int8_static --group-by model.name
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from harness.core.errors import HarnessError
from harness.report.benchmark_json import write_benchmark_json
from harness.report.compare import compare_rows
from harness.report.compare_render import (
    COMPARE_HEADERS,
    COMPARE_LEGEND,
    display_rows,
    drop_constant,
)
from harness.report.gen_compare import compare_headers
from harness.report.latest import latest_sweep
from harness.report.load import Run, load_runs
from harness.report.render import csv_text, markdown, note_lines, rich_table
from harness.report.select import baseline_pairs, filter_runs, group_runs, parse_pairs
from harness.report.summary import wide_console

WHERE_HELP = "keep runs where the dotted config key has this value (repeatable)"
STORE_HELP = "read the folders' results stores (records.duckdb) instead of their JSON records"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of `harness compare` to `p`."""
    p.add_argument("folders", nargs="*", type=Path, metavar="FOLDER",
                   help="results folders (from any machines); default: the latest sweep "
                   "under results/")
    p.add_argument("--out", type=Path, metavar="FOLDER", help="where to write compare.md/.csv "
                   "(default: the only folder given, else results/compare-<time>)")
    p.add_argument("--baseline", help="baseline runs: key=value[,key=value] (e.g. target=cpu, "
                   "quant=fp32, host=jetson) or a results folder (default: the first folder)")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE", help=WHERE_HELP)
    p.add_argument("--group-by", metavar="KEY", help="one table per value of this dotted key")
    p.add_argument("--max-rows", type=int, default=200, help="rows printed per terminal table")
    p.add_argument("--quiet", action="store_true", help="write files, print no tables")
    p.add_argument("--html", action="store_true", help="also write report.html with plots")
    p.add_argument("--pytest-benchmark", action="store_true",
                   help="also write compare.benchmark.json (pytest-benchmark format)")
    p.add_argument("--store", action="store_true", help=STORE_HELP)


def selected_runs(folders: Sequence[Path], where: Sequence[str], store: bool = False) -> list[Run]:
    """Return the runs under `folders` (from their results stores when `store`) that match every
    --where pair; raise when none does."""
    if store:  # DuckDB loads only when asked for
        from harness.report.store_load import load_store_runs
    runs = filter_runs((load_store_runs if store else load_runs)(folders),
                       parse_pairs(where, "--where"))
    if not runs:
        raise HarnessError(f"No run records under {', '.join(map(str, folders))} match.",
                           "Check the folders and the --where filters.")
    return runs


def default_out(folders: Sequence[Path]) -> Path:
    """Return the default output folder: the only folder given, else results/compare-<time>."""
    if len(folders) == 1:
        return folders[0]
    return Path("results") / f"compare-{datetime.now():%Y%m%d-%H%M%S}"


def write_tables(runs: Sequence[Run], args: argparse.Namespace, out: Path) -> list[dict]:
    """Print the comparison tables and write compare.md and compare.csv; return numeric rows."""
    baseline = baseline_pairs(args.baseline) if args.baseline else None
    if baseline is None and len(args.folders) > 1:
        baseline = [("folder", str(args.folders[0]))]
    console = wide_console()
    md_parts, all_rows = [], []
    for group, members in sorted(group_runs(runs, args.group_by).items()):
        rows = compare_rows(members, baseline)
        all_rows += rows
        shown = display_rows(rows)
        title = f"{args.group_by} = {group}" if args.group_by else "comparison"
        group_headers, gen_legend = compare_headers(shown, COMPARE_HEADERS)
        legend = COMPARE_LEGEND + gen_legend
        if not args.quiet:
            headers, same = drop_constant(shown, group_headers)
            console.print(rich_table(shown[: args.max_rows], f"{title} ({same})" if same
                                     else title, headers, legend))
            if len(shown) > args.max_rows:
                console.print(f"... {len(shown) - args.max_rows} more rows in compare.md")
            for line in note_lines(shown[: args.max_rows]):
                console.print(line, markup=False, highlight=False)
        md_parts.append(f"## {title}\n\n" + markdown(shown, group_headers, legend))
    base_text = ", ".join(f"{k}={v}" for k, v in baseline) if baseline else "none"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(f"# edge-harness comparison\n\nBaseline: {base_text}\n\n"
                                    + "\n".join(md_parts))
    (out / "compare.csv").write_text(csv_text(all_rows))
    return all_rows


def run(args: argparse.Namespace) -> int:
    """Print and write the comparison of the runs in `args.folders`; return 0."""
    start = time.perf_counter()
    if not args.folders:
        args.folders = [latest_sweep(Path("results"))]
        print(f"Comparing the latest sweep: {args.folders[0]}", file=sys.stderr)
    runs = selected_runs(args.folders, args.where, args.store)
    out = args.out or default_out(args.folders)
    rows = write_tables(runs, args, out)
    if args.html:  # matplotlib loads only when a report is asked for
        from harness.report.html_report import write_html
        print(f"HTML report: {write_html(runs, rows, out / 'report.html')}", file=sys.stderr)
    if args.pytest_benchmark:
        print(f"pytest-benchmark JSON: {write_benchmark_json(runs, out)}", file=sys.stderr)
    print(f"{len(runs)} runs compared in {time.perf_counter() - start:.2f} s; "
          f"compare.md and compare.csv in {out}", file=sys.stderr)
    return 0
