"""The cost and residency part of `harness deploy`: its options, tables and the traced record."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from harness.report.cost_inputs import parse_overrides
from harness.report.cost_report import COST_HEADERS, COST_LEGEND, cost_block, preset_sections
from harness.report.deployment_config import DeploymentConfig
from harness.report.deployment_energy import datacenter_side, pair_payload
from harness.report.deployment_runs import measurement, payload_of
from harness.report.load import Run
from harness.report.render import markdown, rich_table
from harness.report.residency import regime_notes, residency, residency_row
from harness.report.select import lookup

RESIDENCY_HEADERS = {"deployment": "deployment", "processed": "inputs processed",
                     "stored": "stored", "provider": "provider (jurisdiction)",
                     "leaves_device": "leaves device", "compelled_access": "can compel access"}
RESIDENCY_LEGEND = ("Facts set in each preset's residency section (configs/deployment/*.yaml), "
                    "not a score; regimes and their primary sources below.")


def add_cost_arguments(p: argparse.ArgumentParser) -> None:
    """Add the cost options of `harness deploy` to `p`."""
    p.add_argument("--cost-set", action="append", default=[], metavar="PRESET.KEY=VALUE",
                   help="override one cost input, e.g. on_device.purchase_eur=120 (repeatable)")
    p.add_argument("--country", metavar="CODE", help="country of the Eurostat electricity "
                   "price (configs/cost/electricity_eu.yaml); default: each preset's own")


def cost_and_residency(args: argparse.Namespace, presets: Sequence[DeploymentConfig],
                       pairs: Sequence[tuple[Run, Run]], console: Console, out: Path
                       ) -> list[str]:
    """Print the cost tables, crossovers and residency facts; write deployment_cost.json;
    return the markdown lines."""
    sources = list(args.presets) if args.presets else [c.name for c in presets]
    overrides = parse_overrides(getattr(args, "cost_set", []) or [])
    md, record = ["\n# Cost per million inferences\n"], []
    for dev, dc in pairs:
        rows, lines, trace = cost_block(presets, sources, measurement(dev),
                                        datacenter_side(dc, measurement(dc)),
                                        pair_payload(dev, dc, payload_of(dev))[0], overrides,
                                        getattr(args, "country", None))
        title = f"{lookup(dev, 'model')} ({lookup(dev, 'quant')}): cost"
        console.print(rich_table(rows, title, COST_HEADERS, COST_LEGEND))
        console.print("\n".join(f"  {line}" for line in lines) + "\n")
        md += [f"## {title}\n", markdown(rows, COST_HEADERS, COST_LEGEND)]
        md += [f"- {line}" for line in lines]
        record.append({"model": lookup(dev, "model"), "quant": lookup(dev, "quant"),
                       "device_run": dev.record.run_id, "datacenter_run": dc.record.run_id,
                       "eur_per_million": {r["deployment"]: float(r["eur_per_million"])
                                           for r in rows},
                       "crossovers": lines, "inputs": trace})
    facts = [r for c, s in zip(presets, sources, strict=True)
             if (r := residency(c.name, preset_sections(s)["residency"])) is not None]
    if facts:
        rows = [residency_row(r) for r in facts]
        console.print(rich_table(rows, "Data residency and jurisdiction", RESIDENCY_HEADERS,
                                 RESIDENCY_LEGEND))
        notes = regime_notes(facts)
        console.print("\n".join(f"  {n}" for n in notes), markup=False, highlight=False)
        md += ["\n# Data residency and jurisdiction\n",
               markdown(rows, RESIDENCY_HEADERS, RESIDENCY_LEGEND)] + [f"- {n}" for n in notes]
    (out / "deployment_cost.json").write_text(json.dumps(
        {"pairs": record, "residency": [vars(r) for r in facts]}, indent=1, default=list) + "\n")
    return md
