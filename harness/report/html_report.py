"""A self-contained HTML report: tables, embedded PNG plots, legend and provenance."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.records.sections import EnvironmentSection
from harness.report import plots
from harness.report.compare import run_label
from harness.report.compare_render import COMPARE_HEADERS, COMPARE_LEGEND, display_rows
from harness.report.load import Run, latencies_ns
from harness.report.render import cell

MAX_CDF_RUNS = 12
STYLE = ("body{font-family:sans-serif;margin:1.5em;max-width:1400px}table{border-collapse:"
         "collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}th{background:#eee}"
         "img{max-width:100%;border:1px solid #ddd;margin:.5em 0}.legend{color:#444;"
         "font-size:13px}")


def table_html(rows: Sequence[dict[str, Any]], headers: dict[str, str]) -> str:
    """Return an HTML table of display rows under `headers`."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers.values())
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell(r.get(k)))}</td>" for k in headers)
                   + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def provenance_html(runs: Sequence[Run]) -> str:
    """Return one provenance table row per distinct host: CPU, cores, OS, libraries, commit."""
    hosts: dict[str, EnvironmentSection] = {}
    for run in runs:
        hosts.setdefault(str(run.record.environment.hostname), run.record.environment)
    rows = [{"host": h, "cpu": e.cpu_model, "cores": e.logical_cores, "os": e.os,
             "python": e.python, "commit": e.harness_commit,
             "libraries": ", ".join(f"{k} {v}" for k, v in (e.libraries or {}).items())}
            for h, e in hosts.items()]
    return table_html(rows, {k: k for k in ("host", "cpu", "cores", "os", "python", "commit",
                                            "libraries")})


def figures(runs: Sequence[Run], rows: Sequence[dict[str, Any]]) -> dict[str, bytes]:
    """Return the report's PNG figures by title (absent when there is nothing to plot)."""
    ok = [r for r in runs if r.record.status.value == "ok"][:MAX_CDF_RUNS]
    cdf = {f"{r.record.run_id} ({run_label(r)})": latencies_ns(r) for r in ok}
    made = {"Latency vs energy per inference": plots.latency_energy(rows),
            "Speed-up per backend and precision": plots.speedup_bars(rows),
            "Latency CDF per run": plots.latency_cdf(cdf),
            "Accuracy vs latency": plots.accuracy_latency(rows)}
    return {k: v for k, v in made.items() if v}


def write_html(runs: Sequence[Run], rows: Sequence[dict[str, Any]], path: Path,
               title: str = "edge-harness report") -> Path:
    """Write the self-contained report to `path` and return it."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
             "<h2>Results</h2>", table_html(display_rows(rows), COMPARE_HEADERS),
             f"<p class='legend'>{html.escape(COMPARE_LEGEND)}</p>"]
    for name, png in figures(runs, rows).items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(f"<h2>{html.escape(name)}</h2><img alt='{html.escape(name)}' "
                     f"src='data:image/png;base64,{data}'>")
    parts += ["<h2>Provenance</h2>", provenance_html(runs),
              f"<p class='legend'>Records: {len(runs)} from "
              f"{html.escape(', '.join(sorted({str(r.folder) for r in runs})))}</p>",
              "</body></html>"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts))
    return path
