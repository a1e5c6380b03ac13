"""Sweep progress in the terminal: one line per finished run with a bar and its headline.

In a non-interactive log (stderr not a terminal) each run is one plain line, never wrapped.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.table import Table

from harness.records.schema import RunRecord, Status
from harness.report.rows import headline_text

STATE: dict = {"total": 0, "done": 0, "folder": None}
_STYLE = {Status.ok: "green", Status.failed: "red", Status.skipped: "yellow"}


def start_sweep(total: int, folder: str | None = None) -> None:
    """Reset the counter for a sweep of `total` runs writing to `folder`."""
    STATE.update(total=total, done=0, folder=folder)


def plain_line(record: RunRecord, done: int, total: int) -> str:
    """Return the one-line progress entry of a run for a log file (no bar, no wrapping)."""
    text = headline_text(record) if record.status is Status.ok else record.reason[:200]
    return " ".join(f"{done:>3}/{total:<3} {record.run_id} {record.status.value} {text}".split())


def report_run(record: RunRecord) -> None:
    """Print one line: progress bar, count, run id, status and headline (or the reason)."""
    STATE["done"] += 1
    total = max(STATE["total"], STATE["done"])
    console = Console(stderr=True, highlight=False)
    if not console.is_terminal:
        print(plain_line(record, STATE["done"], total), file=sys.stderr, flush=True)
        return
    line = Table.grid(padding=(0, 1))
    line.add_row(
        ProgressBar(total=total, completed=STATE["done"], width=20),
        f"{STATE['done']:>3}/{total:<3}",
        record.run_id,
        f"[{_STYLE[record.status]}]{record.status.value}[/]",
        headline_text(record) if record.status is Status.ok else record.reason[:100],
    )
    console.print(line)
