"""Render rows as a rich terminal table, markdown and CSV."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table

HEADERS = {
    "model": "model", "quant": "quant", "target": "target", "scenario": "scenario",
    "status": "status", "p50_ms": "p50 ms", "p90_ms": "p90 ms", "p90_ci_ms": "p90 95% CI",
    "p99_ms": "p99 ms", "samples": "n", "throughput_sps": "inf/s",
    "energy_mj_per_inf": "mJ/inf", "accuracy": "accuracy", "int8_time": "int8 time",
    "size_kib": "KiB", "cold_ms": "cold start ms", "cold_cached_ms": "cold ms (cache)",
}
LEGEND = ("Latency per query in ms, percentiles with distribution-free 95% CIs (blank when the "
          "sample count cannot support them); '(est.)' marks energy estimated from a power "
          "model, not measured; quick-profile numbers are not MLPerf-compliant; int8 time = "
          "share of the operator profile's time in int8 kernels (profiled runs only); cold start = "
          "median of fresh processes, spawn to first result, without / with the compiled-model "
          "cache (scenario=cold_start).")


def cell(value: Any) -> str:
    """Format one value for a table: 4 significant digits for floats, '' for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def rich_table(rows: Sequence[dict[str, Any]], title: str,
               headers: dict[str, str] = HEADERS, legend: str = LEGEND) -> Table:
    """Return a rich Table of the rows, failed/skipped runs showing their reason."""
    table = Table(title=title, caption=legend, caption_justify="left")
    for header in headers.values():
        table.add_column(header, overflow="fold")
    for row in rows:
        if row["status"] != "ok":
            lead = _identity_keys(headers)
            table.add_row(*[cell(row.get(k)) for k in lead],
                          f"[dim]{str(row.get('reason') or '')[:160]}[/]")
            continue
        table.add_row(*[cell(row[k]) for k in headers])
    return table


def _identity_keys(headers: dict[str, str]) -> list[str]:
    """Return the header keys a failed or skipped row fills before its reason: every column up
    to and including status (whichever of them the table kept), else the leading names."""
    keys = list(headers)
    if "status" in keys:
        return keys[: keys.index("status") + 1]
    lead = []
    for key in keys:
        if key not in ("model", "quant", "target", "scenario", "host"):
            break
        lead.append(key)
    return lead


def md_cell(value: Any) -> str:
    """Format one value for a markdown table cell: '|' escaped, line breaks made spaces."""
    return " ".join(cell(value).split("\n")).replace("\r", " ").replace("|", "\\|")


def markdown(rows: Sequence[dict[str, Any]], headers: dict[str, str] = HEADERS,
             legend: str = LEGEND) -> str:
    """Return the rows as a GitHub-flavoured markdown table plus a legend and the reasons."""
    lines = ["| " + " | ".join(headers.values()) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(md_cell(row[k]) for k in headers) + " |")
    lines += ["", legend, ""]
    for row in rows:
        if row["status"] != "ok":
            names = "/".join(md_cell(row[k]) for k in ("model", "quant", "target"))
            lines.append(f"- {names}: {row['status']}: {md_cell(row['reason'])}")
    lines += note_lines(rows, md_cell)
    return "\n".join(lines) + "\n"


def _slower_note(row: dict[str, Any], fp32_ms: dict[tuple, float]) -> str:
    """Return why an int8 row that the profile does not explain is slower than its fp32 row
    (same model, target, scenario), or ''."""
    fp32 = fp32_ms.get((row.get("model"), row.get("target"), row.get("scenario")))
    share, p50 = row.get("int8_fraction"), row.get("p50_ms")
    if row.get("int8_note") or not share or not fp32 or not p50 or p50 <= fp32:
        return ""
    why = ("alone take longer than the whole fp32 run" if share * p50 > fp32
           else "gain too little here to pay for the rest")
    return (f"slower than fp32 ({p50:.3g} vs {fp32:.3g} ms) with {share:.0%} of its time in "
            f"int8 kernels: no fallback or conversion explains it; its int8 kernels {why}")


def note_lines(rows: Sequence[dict[str, Any]], fmt: Any = cell) -> list[str]:
    """Return '- model/quant/target: int8: <note>' for each row whose profile explains int8,
    and for each int8 row slower than its fp32 row that the profile does not explain."""
    fp32_ms = {(r.get("model"), r.get("target"), r.get("scenario")): r["p50_ms"] for r in rows
               if r.get("quant") == "fp32" and r.get("p50_ms")}
    out = []
    for row in rows:
        note = row.get("int8_note") or _slower_note(row, fp32_ms)
        if note:
            out.append(f"- {'/'.join(fmt(row[k]) for k in ('model', 'quant', 'target'))}: "
                       f"int8: {fmt(note)}")
    return out


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Return a CSV cell a spreadsheet will not run: text starting =, +, -, @, tab or CR gets a
    leading ' (OWASP's CSV-injection advice); numbers, and text that is a number, stay as is."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        number = float(value)
    except ValueError:
        return "'" + value
    return value if math.isfinite(number) else "'" + value


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """Return the rows as CSV with every column, reasons included, cells made formula-safe."""
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=[csv_safe(k) for k in rows[0]])
        writer.writeheader()
        writer.writerows({csv_safe(k): csv_safe(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()
