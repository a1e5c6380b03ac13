"""The measured-vs-modelled table of `harness deploy`: per model and quantisation, every
datacenter option with its measured p50/p99 (95% CI) where a remote run matches it, the
model's p50/p99, and the model's error (modelled - measured, ms and %); unmatched measurements
follow under their own label. Display rows for the terminal, markdown, CSV and HTML; plain
numbers for deployment_measured.json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.report.deployment import Payload, datacenter
from harness.report.deployment_config import DeploymentConfig
from harness.report.deployment_measured import (
    RTT_TOLERANCE_MS,
    RTT_TOLERANCE_REL,
    Comparison,
    backend_section,
    comparisons,
    local_run,
)
from harness.report.deployment_runs import measurement, payload_of
from harness.report.load import Run
from harness.report.select import lookup

HEADERS = {"model": "model", "quant": "quant", "deployment": "deployment",
           "link": "link measured", "payload": "payload (req/resp B)",
           "measured_p50": "measured p50 ms [95% CI]", "measured_p99": "measured p99 ms [95% CI]",
           "modelled_p50": "modelled p50 ms", "modelled_p99": "modelled p99 ms",
           "error_p50": "model error p50 ms (%)", "error_p99": "model error p99 ms (%)",
           "evidence": "runs (remote / in-process)"}
#: the terminal's columns (the run ids go to deployment.md, .csv and deployment_measured.json)
TERMINAL_HEADERS = {k: v for k, v in HEADERS.items() if k != "evidence"}
MATCHING = (f"A remote run (target=remote) belongs to a datacenter preset when its link's RTT "
            f"is the preset's within max({RTT_TOLERANCE_MS:g} ms, {RTT_TOLERANCE_REL:.0%}); "
            "loopback runs are the same-machine case and match no preset; unmatched runs are "
            "listed under their own label.")
LEGEND = ("Measured: the remote run's own percentiles. Modelled beside a measurement: the "
          "deployment model at that run's conditions (in-process p50/p99 of the same model and "
          "quant + the link's RTT + its measured bytes at the link's rates + framing and "
          "serialisation + M/D/1 at the run's own load), so the error is the formula's own: "
          "modelled - measured. Modelled without a measurement: the preset as it stands (its "
          "RTT, rates and utilisation). " + MATCHING)


def _ci(value: tuple[float, float, float] | None) -> str:
    return "" if value is None else f"{value[0]:.3g} [{value[1]:.3g}–{value[2]:.3g}]"


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def _err(pair: tuple[float | None, float | None]) -> str:
    diff, pct = pair
    if diff is None:
        return ""
    return f"{diff:+.3g}" + ("" if pct is None else f" ({pct:+.0f}%)")


def payload_text(encoding: str, payload: Payload | None, protocol: str = "") -> str:
    """Return 'jpeg grpc 1726/80' style text of a payload."""
    if payload is None:
        return encoding
    head = " ".join(x for x in (encoding, protocol) if x)
    return f"{head} {payload.request_bytes}/{payload.response_bytes}"


def comparison_row(c: Comparison) -> dict[str, Any]:
    """Return one display row of a measured run beside its prediction."""
    b = backend_section(c.run)
    enc = (b.get("payload") or {}).get("encoding", "raw")
    return {"model": lookup(c.run, "model"), "quant": lookup(c.run, "quant"),
            "deployment": c.option, "status": "ok", "target": "remote",
            "scenario": lookup(c.run, "scenario"), "reason": "",
            "link": c.link["label"], "payload": payload_text(enc, c.payload, b.get("protocol", "")),
            "measured_p50": _ci(c.measured["p50"]), "measured_p99": _ci(c.measured["p99"]),
            "modelled_p50": _ms(c.modelled["p50"]), "modelled_p99": _ms(c.modelled["p99"]),
            "error_p50": _err(c.error("p50")), "error_p99": _err(c.error("p99")),
            "evidence": f"{c.run.record.run_id} / "
                        f"{c.local.record.run_id if c.local else 'none: no in-process run'}"}


def comparison_json(c: Comparison) -> dict[str, Any]:
    """Return one measured run beside its prediction as plain numbers (ms, bytes)."""
    b = backend_section(c.run)
    out = {"model": lookup(c.run, "model"), "quant": lookup(c.run, "quant"),
           "deployment": c.option, "matched": c.matched, "link": c.link,
           "protocol": b.get("protocol"), "payload": b.get("payload") or {},
           "scenario": lookup(c.run, "scenario"), "remote_run": c.run.record.run_id,
           "local_run": c.local.record.run_id if c.local else None}
    for pct in ("p50", "p99"):
        got, (diff, rel) = c.measured[pct], c.error(pct)
        out[f"measured_{pct}_ms"] = got[0] if got else None
        out[f"measured_{pct}_ci_ms"] = list(got[1:]) if got else None
        out[f"modelled_{pct}_ms"] = c.modelled[pct]
        out[f"error_{pct}_ms"], out[f"error_{pct}_pct"] = diff, rel
    return out


def preset_only(local: Run, payload: Payload, how: str, cfg: DeploymentConfig
                ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the display row and the numbers of a preset no remote run matches: the model at
    the preset alone (its RTT, rates and utilisation) with these bytes."""
    p50, p99 = (datacenter(measurement(local, p), payload, cfg).latency_s * 1e3
                if local.record.scenario.percentile(p) else None for p in ("p50", "p99"))
    row = {"model": lookup(local, "model"), "quant": lookup(local, "quant"),
           "deployment": cfg.name, "status": "ok", "target": lookup(local, "target"),
           "scenario": lookup(local, "scenario"), "reason": "", "link": "not measured",
           "payload": f"{how} {payload.request_bytes}/{payload.response_bytes}",
           "measured_p50": "", "measured_p99": "", "modelled_p50": _ms(p50),
           "modelled_p99": _ms(p99), "error_p50": "", "error_p99": "",
           "evidence": f"— / {local.record.run_id}"}
    numbers = {"model": row["model"], "quant": row["quant"], "deployment": cfg.name,
               "payload": how, "request_bytes": payload.request_bytes,
               "response_bytes": payload.response_bytes, "modelled_p50_ms": p50,
               "modelled_p99_ms": p99, "local_run": local.record.run_id}
    return row, numbers


def encodings(group: Sequence[Comparison], local: Run) -> dict[str, tuple[Payload, str]]:
    """Return per payload encoding the bytes the model uses: the mean of the measured runs'
    bytes, else (raw) the tensors' size from the record."""
    seen: dict[str, list[Payload]] = {}
    for c in group:
        enc = (backend_section(c.run).get("payload") or {}).get("encoding", "raw")
        if c.payload is not None:
            seen.setdefault(enc, []).append(c.payload)
    out = {enc: (Payload(round(sum(p.request_bytes for p in ps) / len(ps)),
                         round(sum(p.response_bytes for p in ps) / len(ps))),
                 f"{enc} (measured mean)") for enc, ps in sorted(seen.items())}
    if "raw" not in out:
        out = {"raw": (payload_of(local)[0], "raw (tensors)"), **out}
    return out


def measured_tables(remote: Sequence[Run], pools: Sequence[Sequence[Run]],
                    presets: Sequence[DeploymentConfig]
                    ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Return (display rows, {comparisons, modelled_only}: numbers) per model and quant of
    the remote runs: each
    datacenter preset with its matched measurements or, unmatched, the model alone (one row
    per payload encoding), then the unmatched measurements."""
    found = comparisons(remote, pools, presets)
    groups: dict[tuple[str, str], list[Comparison]] = {}
    for c in found:
        groups.setdefault((str(lookup(c.run, "model")), str(lookup(c.run, "quant"))),
                          []).append(c)
    rows: list[dict[str, Any]] = []
    alone: list[dict[str, Any]] = []
    for _, group in sorted(groups.items()):
        local = next((c.local for c in group if c.local is not None), None) or \
            local_run(group[0].run, pools)
        for cfg in (c for c in presets if c.kind != "on_device"):
            mine = [c for c in group if c.option == cfg.name]
            rows += [comparison_row(c) for c in mine]
            if not mine and local is not None:
                for pay, how in encodings(group, local).values():
                    row, numbers = preset_only(local, pay, how, cfg)
                    rows.append(row)
                    alone.append(numbers)
        rows += [comparison_row(c) for c in group if not c.matched]
    return rows, {"comparisons": [comparison_json(c) for c in found], "modelled_only": alone}
