"""The audit table: one row per audited configuration, one column per audit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from harness.audit.config import AUDITS

LEGEND = ("PASS / FAIL / INCONCLUSIVE per audit (docs/audit.md): accuracy_in_performance = "
          "MLPerf TEST01, caching = MLPerf TEST04 (repeat speed-up, median with 95% CI), "
          "skipped_work = outputs that ignore the input or repeat across inputs.")


def _cells(doc: dict[str, Any]) -> list[str]:
    by_name = {r["audit"]: r for r in doc.get("results", [])}
    cells = []
    for name in AUDITS:
        result = by_name.get(name)
        if doc.get("status") != "ok":
            cells.append("skipped")
        elif result is None:
            cells.append("")
        elif name == "caching" and "speedup" in result["figures"]:
            low, high = result["figures"]["speedup_ci"]
            cells.append(f"{result['verdict']} {result['figures']['speedup']:.2f}x "
                         f"[{low:.2f}-{high:.2f}]")
        else:
            cells.append(result["verdict"])
    return cells


def _who(doc: dict[str, Any]) -> list[str]:
    return [doc["label"], doc["model"], doc["quant"]]


def audit_table(docs: Sequence[dict[str, Any]]) -> Table:
    """Return the rich table of the audit documents."""
    table = Table(title="edge-harness audits", caption=LEGEND, caption_justify="left")
    for header in ("backend", "model", "quant", *AUDITS):
        table.add_column(header, overflow="fold")
    for doc in docs:
        table.add_row(*_who(doc), *_cells(doc))
    return table


def audit_markdown(docs: Sequence[dict[str, Any]]) -> str:
    """Return the audit table as markdown, then each FAIL's and INCONCLUSIVE's reason."""
    lines = ["| backend | model | quant | " + " | ".join(AUDITS) + " |",
             "|" + "---|" * (3 + len(AUDITS))]
    lines += ["| " + " | ".join(_who(d) + _cells(d)) + " |" for d in docs]
    lines += ["", LEGEND, ""]
    for doc in docs:
        if doc.get("status") != "ok":
            lines.append(f"- {doc['label']}: skipped: {doc.get('reason', '')}")
        for r in doc.get("results", []):
            if r["verdict"] != "PASS":
                lines.append(f"- {doc['label']} / {r['audit']}: {r['verdict']}: {r['reason']}")
    return "\n".join(lines) + "\n"
