"""The self-check table for the terminal (rich) and its cell formatting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

STYLE = {"PASS": "green", "FAIL": "bold red", "ERROR": "yellow", "INFO": "cyan"}
CAPTION = ("ours, reference: medians over interleaved repeats in one process; ratio: median of "
           "the per-repeat ours/reference ratios (cancels drift between repeats), with its 95% "
           "distribution-free interval in brackets. Shared, noisy machines widen every spread; "
           "the JSON keeps every repeat.")


def number(value: float | None, unit: str = "") -> str:
    """Return value with 4 significant digits and its unit, or an em dash for None."""
    if value is None:
        return "—"
    text = f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def ratio_cell(row: dict[str, Any]) -> str:
    """Return 'ratio× (diff)' when there is a ratio, else the signed difference, else a dash."""
    if row.get("ratio") is not None:
        ci = (row.get("detail") or {}).get("ratio_ci95")
        spread = f" [{ci[0]:.3f}–{ci[1]:.3f}]" if ci else ""
        return f"{row['ratio']:.3f}× ({row['ratio'] - 1:+.1%}){spread}"
    if row.get("diff") is not None:
        return f"{row['diff']:+.4g} {row['unit']}"
    return "—"


def selfcheck_table(rows: Sequence[dict[str, Any]], title: str) -> Table:
    """Return a rich Table: check, ours, reference, ratio/diff, target, result."""
    table = Table(title=title, caption=CAPTION, caption_justify="left")
    for header in ("check", "ours", "reference", "ratio / diff", "target", "result"):
        table.add_column(header, overflow="fold")
    for row in rows:
        status = row["status"]
        result = f"[{STYLE.get(status, '')}]{status}[/]"
        if status == "ERROR":
            table.add_row(row["check"], "—", "—", "—", "—", f"{result} {row['reason'][:160]}")
            continue
        table.add_row(row["check"], number(row["ours"], row["unit"]),
                      number(row["reference"], row["unit"]), ratio_cell(row), row["target"],
                      result)
    return table
