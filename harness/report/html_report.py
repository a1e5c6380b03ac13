"""A self-contained HTML report that opens with the answer: one decision per model first, then
the plots (inline SVG), then the full tables (sortable, filterable), legend and provenance."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.records.sections import EnvironmentSection
from harness.report import plots
from harness.report.compare import run_label
from harness.report.compare_render import COMPARE_HEADERS, COMPARE_LEGEND, display_rows
from harness.report.deployment_config import load_preset
from harness.report.deployment_measured import is_remote
from harness.report.gen_compare import compare_headers
from harness.report.gen_record import is_generative
from harness.report.html_table import SCRIPT, Cell, table_html
from harness.report.html_table import STYLE as TABLE_STYLE
from harness.report.load import Run, latencies_ns
from harness.report.select import lookup
from harness.report.verdict import decide
from harness.report.verdict_html import STYLE as DECISION_STYLE
from harness.report.verdict_html import decision_html

MAX_CDF_RUNS = 8
STYLE = ("body{font-family:'DejaVu Sans',sans-serif;margin:.8em 1.2em;max-width:1400px}"
         "h1{font-size:20px;margin:.2em 0}h2{font-size:16px;margin:.8em 0 .3em}"
         "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
         "padding:2px 6px}th{background:#eee}.plot svg{max-width:100%;height:auto}"
         ".legend{color:#444;font-size:12px}" + TABLE_STYLE + DECISION_STYLE)
ESTIMATED_NOTE = ("Energy on this machine is estimated from a power model, not measured; an "
                  "estimate is proportional to latency by construction, so no latency–energy "
                  "plot is drawn: latency–throughput instead.")


def page(title: str, parts: Sequence[str]) -> str:
    """Return a complete self-contained HTML page (inline CSS and JS) around `parts`."""
    return "\n".join([f"<!doctype html><html><head><meta charset='utf-8'><title>"
                      f"{html.escape(title)}</title><style>{STYLE}</style><script>{SCRIPT}"
                      f"</script></head><body><h1>{html.escape(title)}</h1>", *parts,
                      "</body></html>"])


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
                                            "libraries")}, "provenance", interactive=False)


def result_cells(row: dict[str, Any]) -> dict[str, Any]:
    """Return one comparison row as table cells: percentiles sort by value, CI on a second
    line and on hover; ratios and energy sort by their numbers."""
    shown = display_rows([row])[0]
    for name in ("p50", "p90", "p99"):
        value, low, high = (row.get(f"{name}_ms"), row.get(f"{name}_lo_ms"),
                            row.get(f"{name}_hi_ms"))
        ci = f"{low:.4g}–{high:.4g}" if low is not None and high is not None else ""
        shown[name] = Cell("" if value is None else f"{value:.4g}", value, ci,
                           f"95% CI {ci} ms" if ci else "no CI: too few samples")
    for key, number in (("energy", "energy_mj_per_inf"), ("p50_x", "p50_x"),
                        ("throughput_x", "throughput_x"), ("energy_x", "energy_x"),
                        ("throughput_sps", "throughput_sps")):
        shown[key] = Cell(str(shown.get(key) or ""), row.get(number),
                          title=row.get("energy_provenance", "") if key == "energy" else "")
    return shown


def energy_plot(rows: Sequence[dict[str, Any]]) -> tuple[str, list[str]]:
    """Return latency vs MEASURED energy as an HTML section, or latency vs throughput where no
    run measured its energy, and the notes saying which and why."""
    measured = [r for r in rows if r.get("energy_mj_per_inf") and not r.get("energy_mark")]
    notes = [] if measured else [ESTIMATED_NOTE]
    if measured and len(measured) < sum(1 for r in rows if r.get("energy_mj_per_inf")):
        notes.append("Runs with estimated energy are left out of the latency–energy plot.")
    name = "Latency vs measured energy" if measured else "Latency vs throughput"
    plot = plots.latency_energy(rows) if measured else plots.latency_throughput(rows)
    return (plot_html(name, plot) if plot else ""), notes


def figures(runs: Sequence[Run], rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Return the report's figures as HTML sections and the notes that go with them."""
    first, notes = energy_plot(rows)
    ok = [r for r in runs if r.record.status.value == "ok"]
    cdf: dict[str, dict[str, list[int]]] = {}
    for run in ok:
        group = cdf.setdefault(str(lookup(run, "model")), {})
        if len(group) < MAX_CDF_RUNS:
            group[f"{lookup(run, 'quant')}/{run_label(run)}"] = latencies_ns(run)
    made = {"Accuracy vs latency": plots.accuracy_latency(rows),
            "Speed-up per backend and precision": plots.speedup_bars(rows),
            "Latency CDF per run": plots.latency_cdf(cdf)}
    return [first, *[plot_html(name, p) for name, p in made.items() if p]], notes


def plot_html(name: str, plot: plots.Plot) -> str:
    """Return one figure as a section: heading, inline SVG, labels left out (if any)."""
    missing = (f"<p class='legend'>No room to label: {html.escape('; '.join(plot.unlabelled))}"
               "</p>" if plot.unlabelled else "")
    return f"<h2>{html.escape(name)}</h2><div class='plot'>{plot.svg}</div>{missing}"


def on_device_decisions(runs: Sequence[Run]) -> str:
    """Return the decision block of the on-device side (per host when there are several);
    it models tensor runs, so generative runs are left to the tables ('' when only those)."""
    runs = [r for r in runs if not is_generative(r.record)]
    if not runs:
        return ""
    preset = [(load_preset("on_device"), "on_device")]
    hosts = sorted({str(lookup(r, "host")) for r in runs})
    note = ("The datacenter side and the crossovers need a datacenter run: harness deploy "
            "--device FOLDER --datacenter FOLDER --html.")
    if runs and all(is_remote(r) for r in runs):
        return ("<section id='decision'><h2>The answer</h2><p>Every run here went through "
                "target=remote (a model behind a server), so none is an on-device run to "
                "decide on: harness deploy --device FOLDER --datacenter FOLDER --html sets "
                "these measurements beside the deployment model.</p></section>")
    if len(hosts) == 1:
        return decision_html(decide(runs, None, preset), preset, note)
    return "".join(f"<h2>On {html.escape(h)}</h2>" + decision_html(
        decide([r for r in runs if str(lookup(r, "host")) == h], None, preset), preset, note)
        for h in hosts)


def write_html(runs: Sequence[Run], rows: Sequence[dict[str, Any]], path: Path,
               title: str = "edge-harness report") -> Path:
    """Write the self-contained report to `path` and return it."""
    sections, notes = figures(runs, rows)
    headers, gen_legend = compare_headers(display_rows(rows), COMPARE_HEADERS)
    parts = [on_device_decisions(runs), *[f"<p class='legend'>{html.escape(n)}</p>"
                                          for n in notes], *sections,
             "<h2>All results</h2>",
             table_html([result_cells(r) for r in rows], headers, "results"),
             f"<p class='legend'>{html.escape(COMPARE_LEGEND + gen_legend)}</p>",
             "<h2>Provenance</h2>", provenance_html(runs),
             f"<p class='legend'>Records: {len(runs)} from "
             f"{html.escape(', '.join(sorted({str(r.folder) for r in runs})))}</p>"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(title, parts))
    return path
