"""The end-of-sweep summary: print the table and write summary.md and summary.csv beside it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from harness.records.io import iter_records
from harness.records.schema import RunRecord
from harness.report.device_rows import add_device_columns
from harness.report.fit import TERMINAL_COLUMNS, fitted_table
from harness.report.gen_rows import add_gen_columns
from harness.report.render import HEADERS, LEGEND, csv_text, markdown
from harness.report.rows import record_row


def wide_console() -> Console:
    """Return a console that does not squeeze the table to 80 columns when piped to a file."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


def write_summary(folder: Path, console: Console | None = None) -> list[RunRecord]:
    """Read every record in `folder`, print the table (fitted to 120 columns), write the full
    markdown and CSV; return the records."""
    records = list(iter_records(folder))
    rows = [record_row(r) for r in records]
    headers, legend = add_device_columns(records, rows, HEADERS, LEGEND)
    headers, legend = add_gen_columns(records, rows, headers, legend)
    console = console or Console(width=TERMINAL_COLUMNS)
    width = min(console.width, TERMINAL_COLUMNS)
    table, _ = fitted_table(rows, f"edge-harness results: {folder}", headers, legend, width)
    console.print(table)
    (Path(folder) / "summary.md").write_text(markdown(rows, headers, legend))
    (Path(folder) / "summary.csv").write_text(csv_text(rows))
    return records


def write_html_report(folder: Path) -> Path:
    """Write `<folder>/report.html` (tables, plots, provenance) and return its path.

    Speed-ups are against FP32 of the same model, scenario and (preferably) target.
    """
    from harness.report.compare import compare_rows
    from harness.report.html_report import write_html
    from harness.report.load import load_runs

    runs = load_runs([folder])
    rows = compare_rows(runs, [("quant", "fp32")])
    return write_html(runs, rows, Path(folder) / "report.html", f"edge-harness sweep: {folder}")
