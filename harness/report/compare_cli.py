"""`harness-compare`: join results folders into tables, ratios, HTML, exports and checks."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from harness.core.errors import HarnessError, exit_with
from harness.report.compare import compare_rows
from harness.report.compare_render import (
    COMPARE_HEADERS,
    COMPARE_LEGEND,
    display_rows,
    drop_constant,
)
from harness.report.load import Run, load_runs
from harness.report.regression import check_metric
from harness.report.render import csv_text, markdown, rich_table
from harness.report.select import baseline_pairs, filter_runs, group_runs, parse_pairs
from harness.report.summary import wide_console


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of harness-compare."""
    p = argparse.ArgumentParser(
        prog="harness-compare",
        description="Compare run records from any number of results folders (recursive).")
    p.add_argument("folders", nargs="*", type=Path, help="results folders (from any machines)")
    p.add_argument("--out", type=Path, help="where to write compare.md/.csv (default: the only "
                   "folder given, else results/compare-<time>)")
    p.add_argument("--baseline", help="baseline runs: key=value[,key=value] (e.g. target=cpu, "
                   "quant=fp32, host=jetson) or a results folder")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                   help="keep runs where the dotted config key has this value (repeatable)")
    p.add_argument("--group-by", metavar="KEY", help="one table per value of this dotted key")
    p.add_argument("--max-rows", type=int, default=200, help="rows printed per terminal table")
    p.add_argument("--quiet", action="store_true", help="write files, print no tables")
    p.add_argument("--html", action="store_true", help="also write report.html with plots")
    p.add_argument("--pytest-benchmark", action="store_true",
                   help="also write compare.benchmark.json (pytest-benchmark format)")
    p.add_argument("--check-against", type=Path, metavar="BASELINE_DIR",
                   help="exit 1 when a metric regressed beyond --threshold vs this folder")
    p.add_argument("--threshold", default="10%", help="regression threshold, e.g. 10%% or 0.1")
    p.add_argument("--metric", default="p50", help="metric for --check-against: p50, p90, p99, "
                   "energy, throughput")
    p.add_argument("--deployment", action="store_true",
                   help="on-device vs datacenter verdicts (needs --device and --datacenter)")
    p.add_argument("--device", type=Path, help="results folder of the edge device")
    p.add_argument("--datacenter", type=Path, help="results folder of the datacenter server")
    p.add_argument("--presets", nargs="*", help="deployment presets (configs/deployment/*.yaml "
                   "names or paths); default: all shipped")
    return p


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
        if not args.quiet:
            headers, same = drop_constant(shown, COMPARE_HEADERS)
            console.print(rich_table(shown[: args.max_rows], f"{title} ({same})" if same
                                     else title, headers, COMPARE_LEGEND))
            if len(shown) > args.max_rows:
                console.print(f"... {len(shown) - args.max_rows} more rows in compare.md")
        md_parts.append(f"## {title}\n\n" + markdown(shown, COMPARE_HEADERS, COMPARE_LEGEND))
    base_text = ", ".join(f"{k}={v}" for k, v in baseline) if baseline else "none"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(f"# edge-harness comparison\n\nBaseline: {base_text}\n\n"
                                    + "\n".join(md_parts))
    (out / "compare.csv").write_text(csv_text(all_rows))
    return all_rows


def run(args: argparse.Namespace) -> int:
    """Do what the arguments ask; return the process exit status."""
    if args.deployment:
        from harness.report.deployment_cli import run_deployment
        return run_deployment(args)
    if not args.folders:
        raise HarnessError("No results folders given.",
                           "Pass one or more folders, e.g. harness-compare results/demo.")
    check_metric(args.metric)
    start = time.perf_counter()
    runs = filter_runs(load_runs(args.folders), parse_pairs(args.where, "--where"))
    if not runs:
        raise HarnessError(f"No run records under {', '.join(map(str, args.folders))} match.",
                           "Check the folders and the --where filters.")
    out = args.out or default_out(args.folders)
    rows = write_tables(runs, args, out)
    if args.html:
        from harness.report.html_report import write_html
        print(f"HTML report: {write_html(runs, rows, out / 'report.html')}", file=sys.stderr)
    if args.pytest_benchmark:
        from harness.report.benchmark_json import write_benchmark_json
        print(f"pytest-benchmark JSON: {write_benchmark_json(runs, out)}", file=sys.stderr)
    print(f"{len(runs)} runs compared in {time.perf_counter() - start:.2f} s; "
          f"compare.md and compare.csv in {out}", file=sys.stderr)
    if args.check_against:
        from harness.report.regression import check_cli
        return check_cli(runs, args)
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    """Console script `harness-compare`."""
    args = parser().parse_args(argv)
    exit_with(lambda: run(args))
