"""The decision per model: the fastest configuration that passes the accuracy gate on this
device, and the on-device vs datacenter verdict on latency, energy, CO2e and EUR per million.

Every figure carries a range and a basis. The range is the deployment model evaluated with each
measured input at the low, then the high end of its 95% interval (latency: the p50's CI, the
service time scaled alike; energy: the meter's relative uncertainty); prices, network and grid
figures are taken as set in the presets. Basis: `measured` (straight from a run), `modelled`
(the deployment or cost model applied to measured inputs), `estimated` (an estimated energy
figure went in). The arithmetic is the deployment and cost models' own (harness.report.deployment,
harness.report.cost); this module only chooses the runs and the winners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from harness.records.schema import Status
from harness.report.cost import CostLine, cheaper_above, crossover_per_month, duty_crossover
from harness.report.cost_inputs import CostInputs
from harness.report.cost_report import preset_inputs, price_line
from harness.report.deployment import (
    DeploymentResult,
    SideMeasurement,
    evaluate,
    finite,
    rtt_crossover_ms,
)
from harness.report.deployment_config import DeploymentConfig
from harness.report.deployment_energy import (
    datacenter_side,
    energy_uncertainty_rel,
    pair_payload,
)
from harness.report.deployment_measured import best_measured, is_remote, link_of
from harness.report.deployment_runs import measurement, pair_runs, payload_of
from harness.report.load import Run
from harness.report.select import lookup

METRICS = (("latency", "ms"), ("energy", "mJ/inf"), ("co2e", "µg CO2e/inf"),
           ("eur", "EUR / M inf"))
PREFERRED_SCENARIO = "single_stream"


@dataclass(frozen=True)
class Figure:
    """One deployment option's figure: value and range (same unit) and its basis."""

    option: str
    value: float
    low: float
    high: float
    basis: str


@dataclass(frozen=True)
class Verdict:
    """One metric: the on-device figure, the best datacenter figure, lower is better."""

    metric: str
    unit: str
    device: Figure | None
    datacenter: Figure | None

    @property
    def winner(self) -> Figure | None:
        """Return the lower of the two figures (the only one when one is missing)."""
        found = [f for f in (self.device, self.datacenter) if f is not None]
        return min(found, key=lambda f: f.value) if found else None

    @property
    def clear(self) -> bool:
        """Return True when the two ranges do not overlap (the verdict is beyond noise)."""
        if self.device is None or self.datacenter is None:
            return False
        a, b = sorted((self.device, self.datacenter), key=lambda f: f.value)
        return a.high < b.low


@dataclass(frozen=True)
class ModelDecision:
    """The answer for one model: its configuration, verdicts, residency and crossovers."""

    model: str
    config: str
    device_run: str
    datacenter_run: str | None
    gate: str
    verdicts: tuple[Verdict, ...]
    crossovers: tuple[str, ...]
    figures: dict[str, dict[str, Figure]]
    notes: tuple[str, ...] = ()
    example_prices: bool = False


def passes_gate(run: Run) -> bool:
    """Return True for an ok run whose accuracy gate passed (an FP32 run without a gate is the
    reference and passes)."""
    rec = run.record
    if rec.status is not Status.ok or rec.scenario.percentile("p50") is None:
        return False
    gate = rec.accuracy.gate
    return bool(gate["passed"]) if gate else lookup(run, "quant") == "fp32"


def gate_text(run: Run) -> str:
    """Return how the run met the accuracy gate: 'top1 0.998 >= 0.99 of FP32' or the reason."""
    gate = run.record.accuracy.gate
    if not gate:
        return "FP32 reference (no gate needed)"
    return f"{gate['metric']}: {gate['ratio']:.4g} of FP32 >= {gate['target']:g}"


def fastest_passing(runs: Sequence[Run]) -> dict[str, Run]:
    """Return per model the run with the lowest p50 among those passing the accuracy gate,
    within the single-stream scenario where the model has one."""
    by_model: dict[str, list[Run]] = {}
    for run in filter(passes_gate, runs):
        by_model.setdefault(str(lookup(run, "model")), []).append(run)
    out = {}
    for model, members in sorted(by_model.items()):
        scenarios = {lookup(r, "scenario") for r in members}
        keep = PREFERRED_SCENARIO if PREFERRED_SCENARIO in scenarios else sorted(
            map(str, scenarios))[0]
        pool = [r for r in members if lookup(r, "scenario") == keep]
        out[model] = min(pool, key=lambda r: r.record.scenario.percentile("p50").value_ns)
    return out


def side_range(run: Run) -> tuple[SideMeasurement, SideMeasurement, SideMeasurement]:
    """Return the run's measurement at its value, then with every measured input at the low
    and at the high end of its 95% interval."""
    m = datacenter_side(run, measurement(run))  # unchanged unless a remote run
    p50 = run.record.scenario.percentile("p50")
    rel = energy_uncertainty_rel(run)
    out = [m]
    for k, ci in ((-1, p50.ci_low_ns if p50 else None), (1, p50.ci_high_ns if p50 else None)):
        t = ci / p50.value_ns if ci and p50 and p50.value_ns else 1.0
        e = 1 + k * rel
        out.append(replace(m, latency_s=m.latency_s * t, service_s=m.service_s * t,
                           gross_j=None if m.gross_j is None else m.gross_j * e,
                           net_j=None if m.net_j is None else m.net_j * e))
    return out[0], out[1], out[2]


def _basis(cfg: DeploymentConfig, metric: str, res: DeploymentResult,
           inputs: CostInputs | None) -> str:
    if cfg.kind == "on_device":
        if metric == "latency":
            return "measured"
        if res.estimated:
            return "estimated"
        return "measured" if metric == "energy" else "modelled"
    if metric == "latency":
        return "modelled"
    energy_in = metric != "eur" or not (inputs and inputs.get("energy_included", 1.0))
    return "estimated" if res.estimated and energy_in else "modelled"


def _value(metric: str, res: DeploymentResult, line: CostLine | None) -> float | None:
    if metric == "latency":
        return res.latency_s * 1e3
    if metric == "energy":
        return None if res.energy_avg_j is None else res.energy_avg_j * 1e3
    if metric == "co2e":
        return None if res.co2e_g is None else res.co2e_g * 1e6
    return None if line is None else line.eur_per_million()


@dataclass(frozen=True)
class Evaluation:
    """Every preset evaluated at the value and at both ends of the measured inputs' ranges."""

    presets: tuple[DeploymentConfig, ...]
    inputs: dict[str, CostInputs | None]
    results: tuple[list[DeploymentResult], ...]
    lines: tuple[dict[str, CostLine | None], ...]
    measured: dict[str, Run] = field(default_factory=dict)

    def figure(self, i: int, metric: str) -> Figure | None:
        """Return preset i's figure for `metric`, or None where it cannot be computed; a
        datacenter latency with a matching remote run is that run's p50 [95% CI], measured."""
        cfg = self.presets[i]
        run = self.measured.get(cfg.name) if metric == "latency" else None
        if run is not None:
            p50 = run.record.scenario.percentile("p50")
            return Figure(cfg.name, p50.value_ns / 1e6, p50.ci_low_ns / 1e6,
                          p50.ci_high_ns / 1e6, "measured")
        values = [_value(metric, res[i], lines[cfg.name])
                  for res, lines in zip(self.results, self.lines, strict=True)]
        if not all(finite(v) for v in values):
            return None
        basis = _basis(cfg, metric, self.results[0][i], self.inputs[cfg.name])
        return Figure(cfg.name, values[0], min(values), max(values), basis)


def evaluation(dev: Run, dc: Run | None, presets: Sequence[tuple[DeploymentConfig, str]],
               overrides: dict[str, dict[str, str]], country: str | None,
               remote: Sequence[Run] = ()) -> Evaluation:
    """Return every preset (datacenter ones only with a datacenter run) evaluated at the
    measured inputs' values and range ends, with the remote run that measured each
    datacenter option's latency where one matches it."""
    chosen = [(c, s) for c, s in presets if dc is not None or c.kind == "on_device"]
    cfgs = tuple(c for c, _ in chosen)
    inputs = {c.name: preset_inputs(c, s, overrides, country) for c, s in chosen}
    payload = pair_payload(dev, dc, payload_of(dev))[0]
    results, lines = [], []
    for d, s in zip(side_range(dev), side_range(dc or dev), strict=True):
        results.append(evaluate(d, s, payload, cfgs))
        lines.append({c.name: None if inputs[c.name] is None else
                      price_line(c, inputs[c.name], d, s, payload)[0] for c in cfgs})
    model, quant = str(lookup(dev, "model")), str(lookup(dev, "quant"))
    measured = {c.name: r for c in cfgs if c.kind != "on_device"
                and (r := best_measured(model, quant, remote, c)) is not None}
    return Evaluation(cfgs, inputs, tuple(results), tuple(lines), measured)


def all_figures(ev: Evaluation) -> dict[str, dict[str, Figure]]:
    """Return {option: {metric: Figure}} for every preset and metric that can be computed."""
    return {c.name: {m: f for m, _ in METRICS if (f := ev.figure(i, m)) is not None}
            for i, c in enumerate(ev.presets)}


def verdicts(ev: Evaluation) -> tuple[Verdict, ...]:
    """Return per metric the on-device figure and the best datacenter figure."""
    out = []
    for metric, unit in METRICS:
        figs = [(cfg, ev.figure(i, metric)) for i, cfg in enumerate(ev.presets)]
        dev = next((f for c, f in figs if c.kind == "on_device" and f), None)
        dcs = [f for c, f in figs if c.kind != "on_device" and f]
        out.append(Verdict(metric, unit, dev, min(dcs, key=lambda f: f.value) if dcs else None))
    return tuple(out)


def _range(values: Sequence[float | None], fmt: str = ".3g") -> str:
    found = [v for v in values if v is not None]
    if len(found) < len(values) or len(found) < 2:
        return ""
    lo, hi = min(found[1:]), max(found[1:])
    return f" [{lo:{fmt}}–{hi:{fmt}}]" if lo != hi else ""


def cost_crossover(ev: Evaluation, verdict: Verdict) -> str | None:
    """Return where the cheaper of on-device and the cheapest datacenter option flips, with the
    range of the crossover volume over the measured inputs' ranges."""
    if verdict.device is None or verdict.datacenter is None:
        return None
    dev, dc = verdict.device.option, verdict.datacenter.option
    pairs = [(lines[dev], lines[dc]) for lines in ev.lines]
    volumes = [crossover_per_month(a, b) for a, b in pairs]
    a, b = pairs[0]
    if volumes[0] is None:
        cap = min(a.capacity_per_month, b.capacity_per_month)
        best = min((a, b), key=lambda line: line.eur_per_million(cap))
        text = f"EUR: {best.name} cheaper at every volume up to {cap:.3g} inf/month"
    else:
        low, high = cheaper_above(a, b)
        text = (f"EUR: {high} cheaper above {volumes[0]:.3g}{_range(volumes)} inf/month, "
                f"{low} below")
    duty = duty_crossover(a, b)
    if duty is not None:
        text += (f"; per inference {dev} beats {dc} at {b.utilisation:.0%} when busy > "
                 f"{duty:.2%} of the time")
    return text


def latency_crossover(ev: Evaluation, verdict: Verdict) -> str | None:
    """Return the RTT below which the fastest datacenter option beats the device, or None."""
    if verdict.device is None or verdict.datacenter is None:
        return None
    i = next(i for i, c in enumerate(ev.presets) if c.name == verdict.datacenter.option)
    j = next(j for j, c in enumerate(ev.presets) if c.kind == "on_device")
    rtts = [rtt_crossover_ms(res[j], res[i], ev.presets[i]) for res in ev.results]
    name = verdict.datacenter.option
    if rtts[0] is None:
        return f"latency: {name} slower than on-device even at RTT 0"
    return f"latency: {name} faster only below RTT {rtts[0]:.3g}{_range(rtts)} ms"


def decide(device_runs: Sequence[Run], datacenter_runs: Sequence[Run] | None,
           presets: Sequence[tuple[DeploymentConfig, str]],
           overrides: dict[str, dict[str, str]] | None = None,
           country: str | None = None, remote: Sequence[Run] = ()) -> list[ModelDecision]:
    """Return one decision per model of the device runs (datacenter side: the fastest gated
    datacenter run of the same model and scenario, when datacenter runs are given; its
    latency measured where a remote run matches the option, else modelled). Runs measured
    through target=remote are never the device side."""
    overrides = overrides or {}
    device_runs = [r for r in device_runs if not is_remote(r)]
    dc_pool = [r for r in datacenter_runs or [] if passes_gate(r) and not is_remote(r)]
    out = []
    for model, dev in fastest_passing(device_runs).items():
        pair = pair_runs([dev], dc_pool) if dc_pool else []
        dc = pair[0][1] if pair else None
        ev = evaluation(dev, dc, presets, overrides, country, remote)
        found = verdicts(ev)
        by = {v.metric: v for v in found}
        crossings = tuple(t for t in (cost_crossover(ev, by["eur"]),
                                      latency_crossover(ev, by["latency"])) if t)
        notes = [] if dc or datacenter_runs is None else [
            "no datacenter run of this model passes the accuracy gate"]
        notes += [f"{name}: datacenter latency measured by remote run {r.record.run_id} "
                  f"({link_of(r)['label']}); other datacenter latencies modelled"
                  for name, r in ev.measured.items()]
        out.append(ModelDecision(
            model, f"{lookup(dev, 'quant')} on {lookup(dev, 'target')}",
            f"{dev.record.run_id}@{lookup(dev, 'host')}",
            None if dc is None else f"{dc.record.run_id}@{lookup(dc, 'host')}",
            gate_text(dev), found, crossings, all_figures(ev), tuple(notes),
            any(i is not None and i.example for i in ev.inputs.values())))
    return out
