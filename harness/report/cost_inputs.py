"""Cost inputs of a deployment preset (its `cost:` section), each value traced to its source.

A preset's `cost:` section holds plain numbers plus `sources: {key: citation}`; a value the user
sets with `--cost-set PRESET.KEY=VALUE` is traced to that flag; electricity comes from
`electricity_eur_per_kwh` or, by `country`, from configs/cost/electricity_eu.yaml (Eurostat
nrg_pc_205, period cited). Example prices are marked `example: true` and say so in every output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError
from harness.core.yaml_file import load_yaml

ELECTRICITY_FILE = Path(__file__).resolve().parents[2] / "configs" / "cost" / "electricity_eu.yaml"
UNITS = {"purchase_eur": "EUR", "lifetime_years": "years", "duty_cycle": "share of time",
         "price_eur_per_hour": "EUR/h", "egress_eur_per_gb": "EUR/GB",
         "electricity_eur_per_kwh": "EUR/kWh", "energy_included": "bool"}
REQUIRED = {"on_device": ("purchase_eur", "lifetime_years", "duty_cycle",
                          "electricity_eur_per_kwh"),
            "datacenter": ("price_eur_per_hour",)}
META = ("example", "sources", "country")


@dataclass(frozen=True)
class Traced:
    """One input: its value, unit and where it came from (citation, user flag or measurement)."""

    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class CostInputs:
    """The traced cost inputs of one deployment preset; validated on construction."""

    name: str
    kind: str
    values: dict[str, Traced] = field(default_factory=dict)
    example: bool = False

    def __post_init__(self) -> None:
        needed = REQUIRED.get(self.kind, ())
        if self.kind == "datacenter" and not self.get("energy_included", 1.0):
            needed = (*needed, "electricity_eur_per_kwh")
        for key in needed:
            if key not in self.values:
                raise ConfigError(
                    f"Deployment preset '{self.name}' has no cost.{key} ({UNITS[key]}), which "
                    f"a {self.kind} cost needs.",
                    f"Add `{key}:` under `cost:` in the preset YAML (with its source under "
                    f"`cost.sources`), or pass --cost-set {self.name}.{key}=VALUE.")
        for key, item in self.values.items():
            if item.value < 0 or (key in ("lifetime_years", "duty_cycle") and item.value <= 0):
                raise ConfigError(f"Deployment preset '{self.name}': cost.{key} = {item.value} "
                                  "is not a valid amount.", "Use a positive number.")
        if self.get("duty_cycle", 0.5) > 1:
            raise ConfigError(f"Deployment preset '{self.name}': cost.duty_cycle must be <= 1.",
                              "It is the share of the device's lifetime spent inferring.")

    def get(self, key: str, default: float | None = None) -> float | None:
        """Return the value of `key`, or `default` when the preset does not set it."""
        return self.values[key].value if key in self.values else default


def electricity(country: str) -> Traced:
    """Return the Eurostat nrg_pc_205 non-household price of `country` (EUR/kWh, period cited)."""
    data = load_yaml(ELECTRICITY_FILE, "electricity price")
    table, code = data["prices"], country.upper()
    entry = table.get(code)
    if entry is None:
        why = (data.get("missing") or {}).get(code)
        raise ConfigError(
            f"No Eurostat electricity price for country '{country}' in {ELECTRICITY_FILE.name}"
            + (f": {why.rstrip('.')}" if why else "")
            + f" (it has {', '.join(sorted(table))}; codes are Eurostat's, EL for Greece).",
            "Set cost.electricity_eur_per_kwh in the preset, or --cost-set "
            "PRESET.electricity_eur_per_kwh=VALUE, from Eurostat nrg_pc_205 for your country.")
    band = f", band {entry['band']}" if "band" in entry else ""
    return Traced(float(entry["eur_per_kwh"]), "EUR/kWh",
                  f"Eurostat nrg_pc_205, {code}, {entry['period']}{band}: {entry['source']}")


def _number(name: str, key: str, value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Deployment preset '{name}': cost.{key} = {value!r} is not a number.",
                          f"Set cost.{key} to a number in {UNITS.get(key, 'its unit')}.") from exc


def cost_inputs(name: str, kind: str, section: dict[str, Any] | None,
                overrides: dict[str, str] | None = None, country: str | None = None
                ) -> CostInputs:
    """Return the traced inputs of a preset's `cost:` section with user overrides applied."""
    section = dict(section or {})
    sources = section.get("sources") or {}
    unknown = set(section) - set(UNITS) - set(META)
    if unknown:
        raise ConfigError(f"Deployment preset '{name}': unknown cost key(s) {sorted(unknown)}.",
                          f"Valid keys: {', '.join([*UNITS, *META])}.")
    example = bool(section.get("example", False))
    mark = "EXAMPLE value, not a quote: " if example else ""
    values = {k: Traced(_number(name, k, v), UNITS[k],
                        mark + sources.get(k, f"preset {name}: no source given"))
              for k, v in section.items() if k in UNITS}
    wants_power = kind == "on_device" or not values.get("energy_included", Traced(1, "", "")).value
    where = country or section.get("country")
    if "electricity_eur_per_kwh" not in values and where and wants_power:
        values["electricity_eur_per_kwh"] = electricity(where)
    for key, raw in (overrides or {}).items():
        if key not in UNITS:
            raise ConfigError(f"--cost-set {name}.{key}: unknown cost key '{key}'.",
                              f"Valid keys: {', '.join(UNITS)}.")
        values[key] = Traced(_number(name, key, raw), UNITS[key],
                             f"user value (--cost-set {name}.{key}={raw})")
    return CostInputs(name, kind, values, example and not overrides)


def parse_overrides(pairs: list[str]) -> dict[str, dict[str, str]]:
    """Return {preset: {key: value}} from --cost-set PRESET.KEY=VALUE flags."""
    out: dict[str, dict[str, str]] = {}
    for pair in pairs:
        lhs, sep, value = pair.partition("=")
        preset, dot, key = lhs.partition(".")
        if not sep or not dot or not preset or not key:
            raise ConfigError(f"--cost-set '{pair}' is not PRESET.KEY=VALUE.",
                              "Example: --cost-set on_device.purchase_eur=120")
        out.setdefault(preset, {})[key] = value
    return out
