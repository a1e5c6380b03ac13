"""The report's first screen: one answer per model (configuration, on-device vs datacenter
verdicts with ranges and bases, residency, crossovers) as an HTML block."""

from __future__ import annotations

import html
from collections.abc import Sequence

from harness.report.cost_report import preset_sections
from harness.report.deployment_config import DeploymentConfig
from harness.report.residency import LOCATIONS, REGIMES, Residency, residency
from harness.report.verdict import Figure, ModelDecision, Verdict

TITLES = {"latency": "latency", "energy": "energy", "co2e": "CO2e", "eur": "EUR / M inf"}
BASIS_CLASS = {"measured": "bm", "modelled": "bo", "estimated": "be"}
STYLE = (".decision{border-collapse:collapse;font-size:12px;width:100%}"
         ".decision td,.decision th{border:1px solid #ccc;padding:3px 5px;vertical-align:top;"
         "text-align:left}.decision th{background:#e8eef6}.decision .ans{font-size:11px;"
         "color:#234}.win{font-weight:bold}.fig{font-size:11px;color:#333}"
         ".b{font-size:9px;padding:0 3px;border-radius:3px;margin-left:3px}"
         ".bm{background:#d6f0d6}.bo{background:#dbe6fb}.be{background:#fde2c4}"
         ".xo{font-size:11px}")
LEGEND = ("Lower is better. [low–high]: the figure with every measured input at the low and the "
          "high end of its 95% interval (latency: the p50's CI; energy: the meter's "
          "uncertainty); prices, network and grid figures as set in the presets. measured = from "
          "a run; modelled = the deployment or cost model on measured inputs; estimated = an "
          "estimated energy figure went in. '≈' = the two ranges overlap: not a clear win.")


def regime_short(key: str) -> str:
    """Return a short name of a legal regime ('US CLOUD Act', 'national law')."""
    return "national law" if key == "national_law" else REGIMES[key].split(",")[0].split(" (")[0]


def preset_residency(presets: Sequence[tuple[DeploymentConfig, str]]) -> dict[str, Residency]:
    """Return the residency facts of every preset that sets them, by preset name."""
    out = {}
    for cfg, source in presets:
        facts = residency(cfg.name, preset_sections(source)["residency"])
        if facts is not None:
            out[cfg.name] = facts
    return out


def badge(basis: str) -> str:
    """Return the small coloured label of a figure's basis."""
    return f"<span class='b {BASIS_CLASS[basis]}'>{basis}</span>"


def figure_line(who: str, fig: Figure, unit: str) -> str:
    """Return one line 'who value [low–high] unit basis' (range left out when it is a point)."""
    low, high = f"{fig.low:.3g}", f"{fig.high:.3g}"
    span = f" [{low}–{high}]" if low != high else ""
    title = f"{fig.option}: {fig.value:.6g} {unit}, range {fig.low:.6g}–{fig.high:.6g}"
    return (f"<div class='fig' title='{html.escape(title, quote=True)}'>{html.escape(who)} "
            f"{fig.value:.3g}{span} {html.escape(unit)}{badge(fig.basis)}</div>")


def verdict_cell(v: Verdict) -> str:
    """Return the cell of one metric: the winner, then each side's figure."""
    if v.winner is None:
        return "<td>not available</td>"
    parts = []
    if v.device and v.datacenter:
        name = "on-device" if v.winner is v.device else v.winner.option
        parts.append(f"<div class='win'>{'' if v.clear else '≈ '}{html.escape(name)}</div>")
    if v.device:
        parts.append(figure_line("device", v.device, v.unit))
    if v.datacenter:
        parts.append(figure_line(v.datacenter.option, v.datacenter, v.unit))
    return "<td>" + "".join(parts) + "</td>"


def answer(d: ModelDecision) -> str:
    """Return the one-line answer: where to run, and which metrics each side wins."""
    both = [v for v in d.verdicts if v.device and v.datacenter]
    if not both:
        return "on this device (no datacenter run to compare)"
    dev = [TITLES[v.metric] for v in both if v.winner is v.device]
    dc = [f"{TITLES[v.metric]} ({v.winner.option})" for v in both if v.winner is not v.device]
    if not dc:
        return "on the device: it wins " + ", ".join(dev)
    if not dev:
        return "in the datacenter: it wins " + ", ".join(dc)
    return f"split: the device wins {', '.join(dev)}; the datacenter {', '.join(dc)}"


def residency_cell(d: ModelDecision, facts: dict[str, Residency]) -> str:
    """Return where the data goes on the device and with the datacenter option compared."""
    lines = []
    dev = next((f for n, f in facts.items() if f.processed_in == "device"), None)
    if dev is not None:
        lines.append("device: " + ("data stays on the device" if not dev.leaves_device
                                   else LOCATIONS[dev.processed_in]))
    by = {v.metric: v for v in d.verdicts}
    other = (by["eur"].datacenter or by["latency"].datacenter)
    if other is not None and other.option in facts:
        f = facts[other.option]
        lines.append(f"{other.option}: {LOCATIONS[f.processed_in]}; compellable under "
                     + ", ".join(regime_short(r) for r in f.compelled_access))
    if not lines:
        return "<td>no residency facts in the presets</td>"
    return ("<td>" + "".join(f"<div class='fig'>{html.escape(t)}"
                             "</div>" for t in lines)
            + "<span class='b bo'>facts set in the presets</span></td>")


def decision_html(decisions: Sequence[ModelDecision],
                  presets: Sequence[tuple[DeploymentConfig, str]], note: str = "") -> str:
    """Return the decision block: a row per model, then the legend and `note`."""
    if not decisions:
        return ("<section id='decision'><h2>The answer</h2><p>No run passed the accuracy gate, "
                "so there is no configuration to recommend; see the table below.</p></section>")
    facts = preset_residency(presets)
    crossing = any(d.crossovers for d in decisions)
    heads = ["model: fastest configuration passing the accuracy gate, and the answer",
             *[TITLES[m] for m in TITLES], "data residency"] + (["crossovers"] if crossing else [])
    rows = []
    for d in decisions:
        by = {v.metric: v for v in d.verdicts}
        cells = [f"<td><b>{html.escape(d.model)}: {html.escape(d.config)}</b><div class='fig' "
                 f"title='{html.escape(d.device_run, quote=True)}'>{html.escape(d.gate)}</div>"
                 f"<div class='ans'>→ {html.escape(answer(d))}</div></td>",
                 *[verdict_cell(by[m]) for m in TITLES], residency_cell(d, facts)]
        if crossing:
            cells.append("<td class='xo'>" + "<br>".join(html.escape(t) for t in d.crossovers)
                         + "</td>")
        rows.append(f"<tr class='model-verdict' data-model='{html.escape(d.model, quote=True)}'>"
                    + "".join(cells) + "</tr>")
    example = any(d.example_prices for d in decisions)
    extra = (" Prices are EXAMPLES from the presets, not quotes: set your own (--cost-set)."
             if example else "")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    return (f"<section id='decision'><h2>The answer, per model</h2><table class='decision'>"
            f"<tr>{head}</tr>{''.join(rows)}</table><p class='legend'>{html.escape(LEGEND)}"
            f"{html.escape(extra)} {html.escape(note)}</p></section>")
