"""Measured remote runs beside the deployment model: which preset each belongs to, what the
formula predicts for it, and the formula's error (modelled minus measured).

Matching: a remote run (target=remote) belongs to a datacenter preset when its network has an
RTT (an emulated link's profile, or a real network whose record gives one) within
RTT_TOLERANCE of the preset's `network.rtt_ms`; a loopback run is the same-machine case and
matches no preset; every unmatched run is still compared, under its own label.

The prediction for a measurement is the deployment model (harness.report.deployment.datacenter)
evaluated at that measurement's conditions, so that its error is the formula's own: the
service time is the in-process run of the same model and quantisation (its p50 for the p50,
its p99 for the p99), the RTT and rates are the link the record names (loopback: 0 ms, no rate
limit), the bytes are the run's measured request and response bytes (the encoded image for
payload=jpeg|png), framing and serialisation are the preset's (unmatched: the first datacenter
preset's), and the M/D/1 wait is at the run's own load: 0 for closed-loop scenarios (one query
in flight), target_qps x service time in the server scenario.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from harness.records.schema import Status
from harness.report.deployment import Payload, transfer_s, wait_s
from harness.report.deployment_config import DeploymentConfig
from harness.report.deployment_runs import measurement
from harness.report.load import Run
from harness.report.select import lookup

#: RTT within max(RTT_TOLERANCE_MS, RTT_TOLERANCE_REL x preset RTT) of a preset's matches it.
RTT_TOLERANCE_MS = 0.5
RTT_TOLERANCE_REL = 0.10
SAME_MACHINE = "same machine (loopback)"
CLOSED_LOOP = ("single_stream", "multi_stream", "offline")


def is_remote(run: Run) -> bool:
    """Return True for a run measured through target=remote (a model behind a server)."""
    return (run.record.config.get("target") or {}).get("backend") == "remote"


def backend_section(run: Run) -> dict[str, Any]:
    """Return the record's backend section as a plain dict (endpoint, network, payload...)."""
    return run.record.backend.to_dict()


def link_of(run: Run) -> dict[str, Any]:
    """Return the run's link: kind, label, RTT (ms, None when unknown) and rates (Mbit/s)."""
    net = backend_section(run).get("network") or {}
    kind = net.get("kind") or "real"
    rtt = 0.0 if kind == "loopback" else net.get("rtt_ms")
    if kind == "loopback":
        label = SAME_MACHINE
    elif kind == "emulated":
        label = f"emulated {net.get('profile')} ({rtt:g} ms)"
    else:
        label = f"real network{' ' + str(net['profile']) if net.get('profile') else ''}"
    return {"kind": kind, "label": label, "rtt_ms": rtt, "uplink_mbps": net.get("uplink_mbps"),
            "downlink_mbps": net.get("downlink_mbps")}


def matches(link: dict[str, Any], cfg: DeploymentConfig) -> bool:
    """Return True when the link's RTT is the datacenter preset's (within the tolerance)."""
    if cfg.kind == "on_device" or link["kind"] == "loopback" or link["rtt_ms"] is None:
        return False
    preset = cfg.network.rtt_ms
    return abs(link["rtt_ms"] - preset) <= max(RTT_TOLERANCE_MS, RTT_TOLERANCE_REL * preset)


def measured_payload(run: Run) -> Payload | None:
    """Return the run's measured bytes each way per request, or None when not recorded."""
    pay = backend_section(run).get("payload") or {}
    if "request_bytes" not in pay:
        return None
    return Payload(int(pay["request_bytes"]), int(pay.get("response_bytes", 0)))


def load_of(run: Run, service_s: float) -> float:
    """Return the server utilisation the run offered: 0 in closed-loop scenarios, else the
    server scenario's target QPS x the service time (at most 0.999)."""
    scenario = str(lookup(run, "scenario"))
    qps = lookup(run, "scenario.target_qps")
    if scenario in CLOSED_LOOP or not qps:
        return 0.0
    return min(float(qps) * service_s, 0.999)


def conditions(run: Run, link: dict[str, Any], cfg: DeploymentConfig,
               service_s: float) -> DeploymentConfig:
    """Return `cfg` with the link, rates and load the run was measured under."""
    def rate(value: Any) -> float:
        return float(value) if value else math.inf

    network = replace(cfg.network, rtt_ms=float(link["rtt_ms"] or 0.0),
                      uplink_mbps=rate(link["uplink_mbps"]),
                      downlink_mbps=rate(link["downlink_mbps"]))
    server = replace(cfg.server, utilisation=load_of(run, service_s))
    return replace(cfg, network=network, server=server)


def percentile_ms(run: Run, name: str) -> tuple[float, float, float] | None:
    """Return the run's percentile and its 95% CI in ms, or None when it has none."""
    est = run.record.scenario.percentile(name)
    if est is None:
        return None
    return est.value_ns / 1e6, est.ci_low_ns / 1e6, est.ci_high_ns / 1e6


def error(modelled_ms: float | None, measured_ms: float | None) -> tuple[float | None,
                                                                         float | None]:
    """Return (modelled - measured) in ms and as % of the measurement (None where missing)."""
    if modelled_ms is None or measured_ms is None:
        return None, None
    diff = modelled_ms - measured_ms
    return diff, (100.0 * diff / measured_ms if measured_ms else None)


@dataclass(frozen=True)
class Comparison:
    """One measured remote run beside the model's prediction for it, under one option."""

    option: str
    matched: bool
    run: Run
    local: Run | None
    link: dict[str, Any]
    payload: Payload | None
    measured: dict[str, tuple[float, float, float] | None]
    modelled: dict[str, float | None]

    def error(self, pct: str) -> tuple[float | None, float | None]:
        """Return the model's error at percentile `pct` ('p50' or 'p99'): ms and %."""
        got = self.measured.get(pct)
        return error(self.modelled.get(pct), got[0] if got else None)


def predict_ms(local: Run, payload: Payload, cfg: DeploymentConfig, pct: str) -> float | None:
    """Return the deployment model's latency (ms) at percentile `pct` of the local run."""
    if local.record.scenario.percentile(pct) is None:
        return None
    side = measurement(local, pct)  # datacenter()'s latency terms (its energy needs load > 0)
    queue_s = wait_s(side.service_s, cfg.server.utilisation, cfg.server.queue_model)
    return (transfer_s(payload, cfg) + queue_s + side.latency_s) * 1e3


def compare(run: Run, local: Run | None, option: str, matched: bool,
            template: DeploymentConfig) -> Comparison:
    """Return the measured run beside the model evaluated at its conditions."""
    link, payload = link_of(run), measured_payload(run)
    measured = {p: percentile_ms(run, p) for p in ("p50", "p99")}
    modelled: dict[str, float | None] = {"p50": None, "p99": None}
    if local is not None and payload is not None and link["rtt_ms"] is not None:
        cfg = conditions(run, link, template, measurement(local).service_s)
        modelled = {p: predict_ms(local, payload, cfg, p) for p in modelled}
    return Comparison(option, matched, run, local, link, payload, measured, modelled)


def local_run(remote: Run, pools: Sequence[Sequence[Run]]) -> Run | None:
    """Return the in-process run the model uses for a remote run: same model and quant (the
    same scenario where there is one), from the first pool that has one, fastest p50."""
    for pool in pools:
        same = [r for r in pool if r.record.status is Status.ok and not is_remote(r)
                and r.record.scenario.percentile("p50") is not None
                and all(lookup(r, k) == lookup(remote, k) for k in ("model", "quant"))]
        same = [r for r in same if lookup(r, "scenario") == lookup(remote, "scenario")] or same
        if same:
            return min(same, key=lambda r: r.record.scenario.percentile("p50").value_ns)
    return None


def comparisons(remote: Sequence[Run], pools: Sequence[Sequence[Run]],
                presets: Sequence[DeploymentConfig]) -> list[Comparison]:
    """Return every ok remote run under each preset it matches (or its own label when none)."""
    dcs = [c for c in presets if c.kind != "on_device"]
    out = []
    for run in (r for r in remote if r.record.status is Status.ok):
        local, link = local_run(run, pools), link_of(run)
        matched = [c for c in dcs if matches(link, c)]
        for cfg in matched:
            out.append(compare(run, local, cfg.name, True, cfg))
        if not matched:
            template = dcs[0] if dcs else DeploymentConfig(link["label"])
            out.append(compare(run, local, link["label"], False, template))
    return out


def best_measured(model: str, quant: str, remote: Sequence[Run],
                  cfg: DeploymentConfig) -> Run | None:
    """Return the fastest ok remote run of `model` that matches the preset (same quant
    preferred), or None: the verdict's measured datacenter latency for that option."""
    found = [r for r in remote if r.record.status is Status.ok and lookup(r, "model") == model
             and r.record.scenario.percentile("p50") is not None and matches(link_of(r), cfg)]
    found = [r for r in found if lookup(r, "quant") == quant] or found
    return min(found, key=lambda r: r.record.scenario.percentile("p50").value_ns, default=None)
