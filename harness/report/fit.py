"""Fit a results table to a terminal width by dropping its least important columns first."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from harness.report.render import cell, rich_table

TERMINAL_COLUMNS = 120
# Dropped first to last when the table is too wide (after the columns empty in every row);
# what is left and still too wide is folded, the identity columns never.
DROP_ORDER = ("device_source", "transfer_p50_ms", "cold_cached_ms", "p90_ci_ms", "int8_time",
              "size_kib", "samples", "p99_ms", "host_p50_ms", "in_out", "scenario", "cold_ms",
              "device_p50_ms", "p90_ms")
WHOLE = ("model", "quant", "target", "status", "scenario")


def table_width(table: Table) -> int:
    """Return the widest line of the table rendered without a width limit (caption aside)."""
    console = Console(file=io.StringIO(), width=10_000, color_system=None)
    caption, table.caption = table.caption, None
    console.print(table)
    table.caption = caption
    return max(len(line) for line in console.file.getvalue().splitlines())


def fitted_table(rows: Sequence[dict[str, Any]], title: str, headers: dict[str, str],
                 legend: str, width: int = TERMINAL_COLUMNS) -> tuple[Table, list[str]]:
    """Return the table without the columns empty in every ok row, then with columns dropped
    in DROP_ORDER until it fits `width`, and the headers dropped; the files keep them all."""
    ok = [r for r in rows if r.get("status") == "ok"]
    kept = {k: h for k, h in headers.items()
            if k in WHOLE or any(cell(r.get(k)) for r in ok)}
    dropped = [h for k, h in headers.items() if k not in kept]
    table = rich_table(rows, title, kept, legend)
    for key in DROP_ORDER:
        if table_width(table) <= width:
            break
        if key in kept:
            dropped.append(kept.pop(key))
            table = rich_table(rows, title, kept, legend)
    # strict=False: with every run failed only the identity columns are kept, and rich adds an
    # unnamed column for the failure reason each failed row carries
    for column, key in zip(table.columns, kept, strict=False):
        column.no_wrap = key in WHOLE  # the rest folds at spaces where it must
    if table_width(table) > width:
        table.width = width
    if dropped:
        table.caption = f"{legend} Not shown here (see summary.md): {', '.join(dropped)}."
    return table, dropped
