"""`harness deploy --html`: deployment.html, the decision report. It opens with one answer per
model, then the plots, then every table (deployment options, cost, crossovers, residency, and
each cost input with its source) sortable and filterable."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.report import plots
from harness.report.compare import compare_rows
from harness.report.deployment_config import DeploymentConfig
from harness.report.deployment_cost_cli import RESIDENCY_HEADERS
from harness.report.deployment_measured_table import HEADERS as MEASURED_HEADERS
from harness.report.deployment_measured_table import LEGEND as MEASURED_LEGEND
from harness.report.html_report import energy_plot, page, plot_html
from harness.report.html_table import Cell, table_html
from harness.report.load import Run
from harness.report.residency import regime_notes, residency_row
from harness.report.verdict import ModelDecision
from harness.report.verdict_html import decision_html, preset_residency

INPUT_HEADERS = {"model": "model", "deployment": "deployment", "key": "input", "value": "value",
                 "unit": "unit", "source": "source"}
COST_HEADERS = {"model": "model", "quant": "quant", "deployment": "deployment",
                "eur_per_million": "EUR / M inf", "device_run": "device run",
                "datacenter_run": "datacenter run"}


def tradeoff_points(decisions: Sequence[ModelDecision]) -> dict[str, list[dict[str, Any]]]:
    """Return per model each option's latency and EUR/M figure with its range, for the plot."""
    out: dict[str, list[dict[str, Any]]] = {}
    for d in decisions:
        for option, figs in d.figures.items():
            lat, eur = figs.get("latency"), figs.get("eur")
            if lat and eur and lat.value > 0 and eur.value > 0:
                out.setdefault(d.model, []).append({
                    "option": option, "latency_ms": lat.value, "latency_lo": lat.low,
                    "latency_hi": lat.high, "eur": eur.value, "eur_lo": eur.low,
                    "eur_hi": eur.high})
    return out


def cost_tables(record: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                 list[str]]:
    """Return the cost rows, the traced input rows and the crossover lines of a
    deployment_cost.json record."""
    costs, inputs, lines = [], [], []
    for pair in record.get("pairs", []):
        for name, eur in pair["eur_per_million"].items():
            costs.append({"model": pair["model"], "quant": pair["quant"], "deployment": name,
                          "eur_per_million": Cell(f"{eur:.4g}", eur),
                          "device_run": pair["device_run"],
                          "datacenter_run": pair["datacenter_run"]})
        for name, keys in pair["inputs"].items():
            inputs += [{"model": pair["model"], "deployment": name, "key": k,
                        "value": Cell(f"{t['value']:.6g}", t["value"]), "unit": t["unit"],
                        "source": t["source"]} for k, t in keys.items()]
        lines += [f"{pair['model']} ({pair['quant']}): {line}" for line in pair["crossovers"]]
    return costs, inputs, lines


def measured_html(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Return the measured-vs-modelled section (nothing without remote runs)."""
    if not rows:
        return []
    return ["<h2>Datacenter latency: measured vs modelled</h2>",
            table_html(rows, MEASURED_HEADERS, "measured"),
            f"<p class='legend'>{html.escape(MEASURED_LEGEND)}</p>"]


def write_deployment_html(out: Path, decisions: Sequence[ModelDecision],
                          presets: Sequence[tuple[DeploymentConfig, str]],
                          rows: Sequence[dict[str, Any]], headers: dict[str, str],
                          device_runs: Sequence[Run], note: str,
                          measured_rows: Sequence[dict[str, Any]] = ()) -> Path:
    """Write `<out>/deployment.html` from the decisions, the deployment rows and the
    deployment_cost.json beside it; return its path."""
    record = json.loads((out / "deployment_cost.json").read_text())
    costs, inputs, lines = cost_tables(record)
    trade = plots.deployment_tradeoff(tradeoff_points(decisions))
    device_plot, notes = energy_plot(compare_rows(device_runs, [("quant", "fp32")]))
    facts = list(preset_residency(presets).values())
    parts = [decision_html(decisions, presets, note),
             *[f"<p class='legend'>{html.escape(n)}</p>" for n in notes],
             plot_html("Latency vs cost per deployment option", trade) if trade else "",
             device_plot,
             *measured_html(measured_rows),
             "<h2>Every deployment option</h2>", table_html(rows, headers, "deployments"),
             "<h2>Cost per million inferences</h2>", table_html(costs, COST_HEADERS, "cost"),
             "<h2>Crossovers</h2><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines)
             + "</ul>",
             "<h2>Data residency and jurisdiction</h2>",
             table_html([residency_row(f) for f in facts], RESIDENCY_HEADERS, "residency"),
             "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in regime_notes(facts))
             + "</ul>",
             "<h2>Every cost input and its source</h2>",
             table_html(inputs, INPUT_HEADERS, "inputs")]
    path = out / "deployment.html"
    path.write_text(page("On-device vs datacenter: the decision", parts))
    return path
