"""On-device vs datacenter: per model, which deployment wins on latency, energy and CO2e.

Pairs each device run with the datacenter run of the same model and scenario and evaluates them
under every deployment preset (configs/deployment/*.yaml: RTT, bandwidth, queueing, PUE, network
energy, grid intensity, each with its source). Prints the verdicts and the crossover RTT, uplink
and network intensity at which they flip; writes deployment.md and deployment.csv. Any results
folder can stand in for the datacenter side (e.g. this machine's CPU runs when there is no GPU
server): the model only needs its latency and energy per inference. Runs measured through
target=remote (in either folder) are set beside the model with its error
(harness.report.deployment_measured) and written to deployment_measured.json.

examples:
  harness deploy --device results/edge --datacenter results/server
  harness deploy --device results/pi --datacenter results/gpu --presets on_device cloud_fixed
  harness deploy --device results/edge --datacenter results/server --html
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.core.errors import HarnessError
from harness.report.compare_cli import STORE_HELP, WHERE_HELP
from harness.report.cost_inputs import parse_overrides
from harness.report.deployment import (
    DeploymentResult,
    evaluate,
    finite,
    intensity_crossover_kwh_per_gb,
    rtt_crossover_ms,
    uplink_crossover_mbps,
)
from harness.report.deployment_config import DeploymentConfig, load_preset, shipped_presets
from harness.report.deployment_cost_cli import add_cost_arguments, cost_and_residency
from harness.report.deployment_energy import network_lines, pair_payload, with_server_energy
from harness.report.deployment_measured_cli import (
    basis_lines,
    latency_basis,
    measured_section,
    split_remote,
)
from harness.report.deployment_runs import measurement, pair_runs, payload_of
from harness.report.gen_deploy import gen_pairs, generative_blocks, split_generative
from harness.report.load import Run, load_runs
from harness.report.render import csv_text, markdown, rich_table
from harness.report.select import filter_runs, lookup, parse_pairs
from harness.report.summary import wide_console

HEADERS = {"model": "model", "quant": "quant (device/dc)", "deployment": "deployment",
           "latency_ms": "latency ms", "network_ms": "network ms", "queue_ms": "queue ms",
           "energy_mj": "mJ/inf (avg kWh/GB)", "energy_marginal_mj": "mJ/inf (marginal)",
           "co2e_mg": "mg CO2e/inf", "evidence": "runs"}
LEGEND = ("Latency = p50 service time + network (RTT, transfer, serialisation) + mean M/D/1 "
          "queueing wait. Energy = device gross J/inference, or server (PUE x (net + idle share)) "
          "+ network (average or marginal kWh/GB) + client wait power. '(est.)' = an estimated "
          "energy figure went in. Presets and their sources: configs/deployment/*.yaml.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of `harness deploy` to `p`."""
    p.add_argument("--device", type=Path, required=True, metavar="FOLDER",
                   help="results folder of the edge device")
    p.add_argument("--datacenter", type=Path, required=True, metavar="FOLDER",
                   help="results folder of the datacenter server")
    p.add_argument("--presets", nargs="*", metavar="PRESET", help="deployment presets "
                   "(configs/deployment/*.yaml names or paths); default: all shipped")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE", help=WHERE_HELP)
    p.add_argument("--out", type=Path, metavar="FOLDER", help="where to write deployment.md/.csv "
                   "(default: the --device folder)")
    p.add_argument("--store", action="store_true", help=STORE_HELP)
    p.add_argument("--html", action="store_true", help="also write deployment.html, the "
                   "decision report: one answer per model first, then plots and tables")
    add_cost_arguments(p)


def _mark(value: float | None, scale: float, estimated: bool) -> str:
    if not finite(value):
        return ""
    return f"{value * scale:.4g}" + (" (est.)" if estimated else "")


def evaluate_pair(dev: Run, dc: Run, presets: Sequence[DeploymentConfig]
                  ) -> tuple[list[DeploymentResult], list[str]]:
    """Return every preset's result for one device/datacenter pair and the verdict lines."""
    payload, how = pair_payload(dev, dc, payload_of(dev))
    dev_m, (dc_m, server_line) = measurement(dev), with_server_energy(dc, measurement(dc))
    results, lines = evaluate(dev_m, dc_m, payload, presets), []
    dev_result = next((r for r, c in zip(results, presets, strict=True)
                       if c.kind == "on_device"), None)
    for label, attr in (("latency", "latency_s"), ("energy", "energy_avg_j"),
                        ("energy, marginal network", "energy_marginal_j"), ("CO2e", "co2e_g")):
        valid = [r for r in results if finite(getattr(r, attr))]
        if valid:
            best = min(valid, key=lambda r: getattr(r, attr))
            est = " (on estimated energy)" if best.estimated and label != "latency" else ""
            lines.append(f"{label}: {best.name} wins{est}")
    lines.append(f"payload: {payload.request_bytes} B request, {payload.response_bytes} B "
                 f"response ({how})")
    lines += ([server_line] if server_line else []) + network_lines(payload, how, presets)
    if dev_result is not None:
        lines += crossovers(dev_result, results, payload, presets)
    return results, lines


def crossovers(dev: DeploymentResult, results: Sequence[DeploymentResult], payload: Any,
               presets: Sequence[DeploymentConfig]) -> list[str]:
    """Return, per datacenter preset, the RTT, uplink and kWh/GB at which the verdict flips."""
    lines = []
    for res, cfg in zip(results, presets, strict=True):
        if cfg.kind == "on_device":
            continue
        rtt = rtt_crossover_ms(dev, res, cfg)
        up = uplink_crossover_mbps(dev, res, payload, cfg)
        kwh = intensity_crossover_kwh_per_gb(dev, res, payload, cfg)
        lat = (f"faster than on-device below RTT {rtt:.3g} ms" if rtt is not None else
               "slower than on-device even at RTT 0")
        bw = f", or with uplink above {up:.3g} Mbit/s" if up is not None and rtt else ""
        energy = (f"; less energy below {kwh:.3g} kWh/GB network intensity" if kwh is not None
                  else "; more energy even with a free network")
        lines.append(f"crossover {cfg.name}: {lat}{bw}{energy}")
    return lines


def result_row(dev: Run, dc: Run, res: DeploymentResult) -> dict[str, Any]:
    """Return one table row (display strings) of a deployment result."""
    source = dev if res.name == "on_device" else dc
    return {
        "model": lookup(dev, "model"), "quant": f"{lookup(dev, 'quant')}/{lookup(dc, 'quant')}",
        "deployment": res.name, "status": "ok", "target": lookup(source, "target"),
        "scenario": lookup(dev, "scenario"), "reason": "; ".join(res.notes),
        "latency_ms": f"{res.latency_s * 1e3:.4g}", "network_ms": f"{res.network_s * 1e3:.3g}",
        "queue_ms": f"{res.queue_s * 1e3:.3g}",
        "energy_mj": _mark(res.energy_avg_j, 1e3, res.estimated),
        "energy_marginal_mj": _mark(res.energy_marginal_j, 1e3, res.estimated),
        "co2e_mg": _mark(res.co2e_g, 1e3, res.estimated),
        "evidence": f"{source.record.run_id}@{lookup(source, 'host')}",
    }


def run(args: argparse.Namespace) -> int:
    """Evaluate every device/datacenter pair under the presets; print, write the report, 0."""
    presets = [load_preset(p) for p in args.presets] if args.presets else shipped_presets()
    where = parse_pairs(args.where, "--where")
    load = load_runs
    if args.store:  # DuckDB loads only when asked for
        from harness.report.store_load import load_store_runs as load
    dev_all, dev_gen = split_generative(filter_runs(load([args.device]), where))
    dc_all, dc_gen = split_generative(filter_runs(load([args.datacenter]), where))
    remote, (dev_runs, dc_runs) = split_remote(dev_all, dc_all)
    pairs, generative = pair_runs(dev_runs, dc_runs), gen_pairs(dev_gen, dc_gen)
    if not pairs and not remote and not generative:
        raise HarnessError("No device run has a datacenter run of the same model and scenario "
                           "(generative runs: also the same tokens per request), and no run was "
                           "measured through target=remote.",
                           "Benchmark the same model on both machines, or measure it behind a "
                           "server (harness serve, then target=remote), then compare.")
    console, rows, md = wide_console(), [], ["# On-device vs datacenter deployment\n"]
    md += generative_blocks(generative, console)
    verdicts: dict[str, Any] = {}
    for dev, dc in pairs:
        results, lines = evaluate_pair(dev, dc, presets)
        basis = latency_basis(dev, dc, {r.name: r.latency_s * 1e3 for r in results}, remote,
                              presets)
        verdicts[f"{lookup(dev, 'model')}/{lookup(dev, 'quant')}"] = basis
        lines += basis_lines(measurement(dev).latency_s * 1e3, basis) if remote else []
        block = [result_row(dev, dc, r) for r in results]
        rows += block
        title = f"{lookup(dev, 'model')} ({lookup(dev, 'quant')} on {lookup(dev, 'target')})"
        console.print(rich_table(block, title, HEADERS, LEGEND))
        console.print("\n".join(f"  {line}" for line in lines) + "\n")
        md += [f"## {title}\n", markdown(block, HEADERS, LEGEND)] + [f"- {x}" for x in lines]
    out = Path(args.out or args.device)
    out.mkdir(parents=True, exist_ok=True)
    measured_md, measured_rows = measured_section(remote, [dc_runs, dev_runs], presets,
                                                  console, out, verdicts)
    md += measured_md + cost_and_residency(args, presets, pairs, console, out)
    (out / "deployment.md").write_text("\n".join(md) + "\n")
    (out / "deployment.csv").write_text(csv_text(rows))
    extra = ", deployment_measured.json" if remote else ""
    console.print(f"deployment.md, deployment.csv{extra} and deployment_cost.json in {out}")
    if args.html and (pairs or remote):  # matplotlib loads only when the report is asked for
        write_decision_report(args, presets, dev_runs, dc_runs, rows, out, remote,
                              measured_rows)
    elif args.html:
        print("No decision report: it models tensor runs; the generative comparison is in "
              "deployment.md.", file=sys.stderr)
    return 0


def write_decision_report(args: argparse.Namespace, presets: Sequence[DeploymentConfig],
                          dev_runs: Sequence[Run], dc_runs: Sequence[Run],
                          rows: Sequence[dict[str, Any]], out: Path,
                          remote: Sequence[Run] = (),
                          measured_rows: Sequence[dict[str, Any]] = ()) -> Path:
    """Write deployment.html (the decision per model, plots, tables); print and return it."""
    from harness.report.deployment_html import write_deployment_html
    from harness.report.verdict import decide

    sources = list(args.presets) if args.presets else [c.name for c in presets]
    with_sources = list(zip(presets, sources, strict=True))
    decisions = decide(dev_runs, dc_runs, with_sources,
                       parse_overrides(getattr(args, "cost_set", []) or []),
                       getattr(args, "country", None), remote)
    note = f"Device runs: {args.device}; datacenter runs: {args.datacenter}."
    path = write_deployment_html(out, decisions, with_sources, rows, HEADERS, dev_runs, note,
                                 measured_rows)
    print(f"Decision report: {path}", file=sys.stderr)
    return path
