"""`harness deploy`'s cost and residency part: EUR per million inferences, crossovers, inputs.

Reads each preset's `cost:` and `residency:` sections, prices every deployment from the paired
device and datacenter runs (measured service time and energy), and returns table rows, the
crossover lines and every input traced to a citation, a user flag or a measured run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.core.yaml_file import load_yaml
from harness.report.cost import (
    CostLine,
    cheaper_above,
    crossover_per_month,
    device_line,
    duty_crossover,
    server_line,
)
from harness.report.cost_inputs import CostInputs, Traced, cost_inputs
from harness.report.deployment import Payload, SideMeasurement, wire_bytes
from harness.report.deployment_config import PRESET_DIR, DeploymentConfig

COST_HEADERS = {"deployment": "deployment", "eur_per_million": "EUR / M inf",
                "utilisation": "utilisation", "volume": "inf / month",
                "fixed": "EUR / month fixed", "variable": "EUR / M variable", "basis": "basis"}
COST_LEGEND = ("EUR per million inferences at each option's own utilisation (device: duty "
               "cycle; server: the preset's server.utilisation) = fixed EUR/month / volume + "
               "variable EUR/inference. 'example' = an illustrative price, not a quote: set your "
               "own. Every input and its source: deployment_cost.json.")


def preset_sections(name_or_path: str) -> dict[str, Any]:
    """Return the raw `cost:` and `residency:` sections of a preset (name or YAML path)."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PRESET_DIR / f"{name_or_path}.yaml"
    data = load_yaml(path, "deployment preset")
    return {"cost": data.get("cost"), "residency": data.get("residency")}


def preset_inputs(cfg: DeploymentConfig, source: str, overrides: dict[str, dict[str, str]],
                  country: str | None) -> CostInputs | None:
    """Return the traced cost inputs of one preset, or None when it has no cost section."""
    section = preset_sections(source)["cost"]
    if not section and cfg.name not in overrides:
        return None
    return cost_inputs(cfg.name, cfg.kind, section, overrides.get(cfg.name), country)


def _measured(m: SideMeasurement, side: str) -> dict[str, Traced]:
    src = f"measured: {side} run {m.run_id}" + (" (estimated energy)" if m.estimated else "")
    out = {"service_s": Traced(m.service_s, "s", src)}
    if m.gross_j is not None:
        out["gross_j"] = Traced(m.gross_j, "J/inference", src)
    if m.net_j is not None:
        out["net_j"] = Traced(m.net_j, "J/inference", src)
    if m.idle_power_w is not None:
        out["idle_power_w"] = Traced(m.idle_power_w, "W", src)
    return out


def price_line(cfg: DeploymentConfig, inputs: CostInputs, dev: SideMeasurement,
               dc: SideMeasurement, payload: Payload) -> tuple[CostLine | None, str]:
    """Return the cost line of one preset (None when the run lacks energy) and its basis."""
    v = inputs.get
    if cfg.kind == "on_device":
        if dev.gross_j is None:
            return None, "device run has no energy figure"
        return device_line(cfg.name, v("purchase_eur"), v("lifetime_years"), v("duty_cycle"),
                           dev.gross_j, v("electricity_eur_per_kwh"), dev.service_s), \
            "purchase amortised + energy"
    gb = wire_bytes(payload, cfg) / 1e9
    basis = "instance price (energy included)"
    net_j = idle_w = 0.0
    if not v("energy_included", 1.0):
        idle = cfg.server.idle_power_w if cfg.server.idle_power_w is not None \
            else dc.idle_power_w
        net_j = (dc.net_j if dc.net_j is not None and idle is not None else dc.gross_j) or 0.0
        idle_w = (idle or 0.0) * cfg.server.idle_power_share if dc.net_j is not None else 0.0
        net_j, idle_w = cfg.server.pue * max(net_j, 0.0), cfg.server.pue * idle_w
        basis = "server price + PUE x energy"
    line = server_line(cfg.name, v("price_eur_per_hour"), dc.service_s,
                       cfg.server.utilisation, gb, v("egress_eur_per_gb", 0.0), net_j, idle_w,
                       v("electricity_eur_per_kwh", 0.0))
    return line, basis + (", egress priced" if v("egress_eur_per_gb") else "")


def cost_block(presets: Sequence[DeploymentConfig], sources: Sequence[str],
               dev: SideMeasurement, dc: SideMeasurement, payload: Payload,
               overrides: dict[str, dict[str, str]], country: str | None
               ) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """Return the cost rows, the crossover lines and the traced inputs of one run pair."""
    rows, lines, trace, priced = [], [], {}, []
    for cfg, src in zip(presets, sources, strict=True):
        inputs = preset_inputs(cfg, src, overrides, country)
        if inputs is None:
            lines.append(f"cost {cfg.name}: no cost section in the preset (not priced)")
            continue
        line, basis = price_line(cfg, inputs, dev, dc, payload)
        side = _measured(dev, "device") if cfg.kind == "on_device" else _measured(dc, "datacenter")
        if cfg.kind != "on_device":
            side["utilisation"] = Traced(cfg.server.utilisation, "share",
                                         f"preset {cfg.name}: server.utilisation")
            side["wire_bytes"] = Traced(wire_bytes(payload, cfg), "B/inference",
                                        "payload of the device run's inputs/outputs + framing")
        trace[cfg.name] = {k: vars(t) for k, t in {**inputs.values, **side}.items()}
        if line is None:
            lines.append(f"cost {cfg.name}: {basis}")
            continue
        priced.append(line)
        rows.append({"deployment": cfg.name, "status": "ok",
                     "eur_per_million": f"{line.eur_per_million():.4g}",
                     "utilisation": f"{line.utilisation:.0%}",
                     "volume": f"{line.volume_per_month:.3g}",
                     "fixed": f"{line.fixed_eur_per_month:.4g}",
                     "variable": f"{line.variable_eur_per_inference * 1e6:.4g}",
                     "basis": basis + (" (example)" if inputs.example else "")})
    lines += crossover_lines(priced)
    return rows, lines, trace


def crossover_lines(lines: Sequence[CostLine]) -> list[str]:
    """Return, for the device (first) against each other option, where the cheaper one flips:
    the monthly volume and the device duty cycle at which both cost the same per inference."""
    if not lines:
        return []
    dev, out = lines[0], []
    for other in lines[1:]:
        volume = crossover_per_month(dev, other)
        if volume is None:  # one dominates over the range both can serve
            cap = min(dev.capacity_per_month, other.capacity_per_month)
            best = min((dev, other), key=lambda line: line.eur_per_million(cap))
            text = (f"{best.name} is cheaper at every volume up to {cap:.3g} inferences/month "
                    "(one of each)")
        else:
            low, high = cheaper_above(dev, other)
            text = (f"{high} is cheaper above {volume:.3g} inferences/month ({dev.name} at "
                    f"{volume / dev.capacity_per_month:.1%}, {other.name} at "
                    f"{volume / other.capacity_per_month:.1%} utilisation); {low} below")
        duty = duty_crossover(dev, other)
        if duty is not None:
            text += (f"; per inference, {dev.name} beats {other.name} at "
                     f"{other.utilisation:.0%} when busy more than {duty:.2%} of the time")
        out.append(f"cost crossover {dev.name} vs {other.name}: {text}")
    return out
