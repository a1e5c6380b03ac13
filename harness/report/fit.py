"""Fit a results table to a terminal width by dropping its least important columns first."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from harness.report.render import rich_table

TERMINAL_COLUMNS = 120
# Dropped first to last when the table is too wide; columns not named here are kept.
DROP_ORDER = ("p90_ci_ms", "int8_time", "size_kib", "samples", "p99_ms", "scenario", "p90_ms",
              "accuracy", "throughput_sps")


def table_width(table: Table) -> int:
    """Return the widest line of the table rendered without a width limit (caption aside)."""
    console = Console(file=io.StringIO(), width=10_000, color_system=None)
    caption, table.caption = table.caption, None
    console.print(table)
    table.caption = caption
    return max(len(line) for line in console.file.getvalue().splitlines())


def fitted_table(rows: Sequence[dict[str, Any]], title: str, headers: dict[str, str],
                 legend: str, width: int = TERMINAL_COLUMNS) -> tuple[Table, list[str]]:
    """Return the table with columns dropped in DROP_ORDER until it fits `width`, and the
    headers dropped; keep the full table for files."""
    kept, dropped = dict(headers), []
    table = rich_table(rows, title, kept, legend)
    for key in DROP_ORDER:
        if table_width(table) <= width:
            break
        if key in kept:
            dropped.append(kept.pop(key))
            table = rich_table(rows, title, kept, legend)
    if dropped:
        table.caption = f"{legend} Not shown here (see summary.md): {', '.join(dropped)}."
    return table, dropped
