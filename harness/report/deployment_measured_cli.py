"""`harness deploy`'s measured-vs-modelled section: printed, in deployment.md, and written as
deployment_measured.json (every number: ms, bytes, the links, the matching rule)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from harness.report.deployment import datacenter
from harness.report.deployment_config import DeploymentConfig
from harness.report.deployment_measured import (
    backend_section,
    best_measured,
    is_remote,
    link_of,
    measured_payload,
)
from harness.report.deployment_measured_table import (
    HEADERS,
    LEGEND,
    MATCHING,
    TERMINAL_HEADERS,
    measured_tables,
)
from harness.report.deployment_runs import measurement, payload_of
from harness.report.load import Run
from harness.report.render import markdown, rich_table
from harness.report.select import lookup

TITLE = "Datacenter latency: measured remote runs vs the deployment model"


def split_remote(*folders: Sequence[Run]) -> tuple[list[Run], list[list[Run]]]:
    """Return the remote runs of every folder (each once) and each folder without them."""
    remote: dict[str, Run] = {}
    rest = []
    for runs in folders:
        for run in runs:
            if is_remote(run):
                remote.setdefault(str(run.path.resolve()), run)
        rest.append([r for r in runs if not is_remote(r)])
    return list(remote.values()), rest


def latency_basis(dev: Run, dc: Run, modelled_ms: dict[str, float], remote: Sequence[Run],
                  presets: Sequence[DeploymentConfig]) -> dict[str, dict[str, Any]]:
    """Return per datacenter preset its latency (ms) and basis: the matching remote run's p50
    ('measured', with the run, its payload, and the model at the preset with that run's
    bytes) where one exists, else the model's ('modelled', the tensors' bytes)."""
    model, quant = str(lookup(dev, "model")), str(lookup(dev, "quant"))
    out = {}
    for cfg in presets:
        if cfg.kind == "on_device" or cfg.name not in modelled_ms:
            continue
        run = best_measured(model, quant, remote, cfg)
        if run is None:
            out[cfg.name] = {"basis": "modelled", "latency_ms": modelled_ms[cfg.name]}
            continue
        payload = measured_payload(run) or payload_of(dev)[0]
        said = datacenter(measurement(dc), payload, cfg).latency_s * 1e3
        out[cfg.name] = {"basis": "measured",
                         "latency_ms": run.record.scenario.percentile("p50").value_ns / 1e6,
                         "run": run.record.run_id, "link": link_of(run)["label"],
                         "payload": (backend_section(run).get("payload") or {}).get(
                             "encoding", "raw"), "request_bytes": payload.request_bytes,
                         "modelled_ms": said}
    return out


def basis_lines(dev_ms: float, basis: dict[str, dict[str, Any]]) -> list[str]:
    """Return the verdict lines on datacenter latency, each option saying measured/modelled."""
    lines = [f"datacenter latency {name}: {b['latency_ms']:.3g} ms {b['basis']}"
             + (f" (remote run {b['run']}, {b['link']}, {b['payload']} payload of "
                f"{b['request_bytes']} B; the model at the preset with those bytes: "
                f"{b['modelled_ms']:.3g} ms)" if b["basis"] == "measured" else "")
             for name, b in basis.items()]
    if basis:
        name, best = min(basis.items(), key=lambda kv: kv[1]["latency_ms"])
        who = "on_device" if dev_ms <= best["latency_ms"] else name
        lines.append(f"latency with measurements where they exist: {who} wins (device "
                     f"{dev_ms:.3g} ms measured; {name} {best['latency_ms']:.3g} ms "
                     f"{best['basis']})")
    return lines


def measured_section(remote: Sequence[Run], pools: Sequence[Sequence[Run]],
                     presets: Sequence[DeploymentConfig], console: Console, out: Path,
                     verdicts: dict[str, Any] | None = None
                     ) -> tuple[list[str], list[dict[str, Any]]]:
    """Print the table, write deployment_measured.json; return the markdown lines and the
    display rows (for the HTML report). Nothing when there is no remote run."""
    if not remote:
        return [], []
    rows, numbers = measured_tables(remote, pools, presets)
    console.print(rich_table(rows, TITLE, TERMINAL_HEADERS, LEGEND))
    record = {"matching": MATCHING, "legend": LEGEND, **numbers,
              "datacenter_latency_basis": verdicts or {}}
    (out / "deployment_measured.json").write_text(json.dumps(record, indent=1, default=str))
    return [f"## {TITLE}\n", markdown(rows, HEADERS, LEGEND)], rows
