"""Energy on both ends in the deployment comparison: measured payload, server J, network J/B.

A datacenter run made through target=remote carries what the client measured on the wire
(backend.payload: request and response bytes of one query) and, where the server reports it
(harness serve's side channel), the server's own J per query (energy.server). The network's
energy is never metered: it is the preset's intensity (network.average_kwh_per_gb and
marginal_kwh_per_gb in configs/deployment/*.yaml, each with its source in network.sources)
applied per byte to those bytes plus the preset's framing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from harness.energy.method import provenance_mark
from harness.report.deployment import J_PER_KWH, Payload, SideMeasurement, wire_bytes
from harness.report.deployment_config import DeploymentConfig
from harness.report.load import Run

BYTES_PER_GB = 1e9


def j_per_byte(kwh_per_gb: float) -> float:
    """Return joules per byte for an intensity in kWh/GB (1 kWh/GB = 3.6 mJ/B)."""
    return kwh_per_gb * J_PER_KWH / BYTES_PER_GB


def network_j(bytes_on_wire: float, kwh_per_gb: float) -> float:
    """Return the network's energy (J) for `bytes_on_wire` at an intensity in kWh/GB."""
    return bytes_on_wire * j_per_byte(kwh_per_gb)


def _more(section: Any, key: str) -> Any:
    return (getattr(section, "more", None) or {}).get(key)


def measured_payload(run: Run) -> Payload | None:
    """Return the bytes one query of a remote run carried each way, None for other runs."""
    payload = _more(run.record.backend, "payload") or {}
    if "request_bytes" not in payload or "response_bytes" not in payload:
        return None
    return Payload(int(payload["request_bytes"]), int(payload["response_bytes"]))


def with_server_energy(run: Run, side: SideMeasurement) -> tuple[SideMeasurement, str]:
    """Return the datacenter side with the server's own energy where the run is remote, and a
    line saying which energy stands for the server."""
    if run.record.backend.name != "remote":
        return side, ""
    server = _more(run.record.energy, "server") or {}
    gross = server.get("gross_j_per_query")
    if not server.get("reported") or gross is None:
        why = server.get("reason") or "the record has no server energy (an older record)"
        return (replace(side, gross_j=None, net_j=None, idle_power_w=None),
                f"datacenter energy: none ({why}); the remote client's own energy is not "
                "the server's, so it is not used")
    provenance = str(server.get("provenance", ""))
    line = (f"datacenter energy: the server's own {gross * 1e3:.4g} mJ/query "
            f"({provenance}, meter {server.get('meter')}, reported by the server over "
            f"{server.get('window_s', 0):.3g} s), not the remote client's")
    return replace(side, gross_j=gross, net_j=server.get("net_j_per_query"),
                   idle_power_w=server.get("idle_power_w"),
                   estimated=bool(provenance_mark(provenance))), line


def network_lines(payload: Payload, how: str, presets: Sequence[DeploymentConfig]
                  ) -> list[str]:
    """Return, per datacenter preset, the network energy per query: bytes x J/B = J, with the
    intensities' sources."""
    lines = []
    for cfg in presets:
        if cfg.kind == "on_device":
            continue
        net, wire = cfg.network, wire_bytes(payload, cfg)
        sources = dict(net.sources or {})
        parts = []
        for basis, kwh in (("average", net.average_kwh_per_gb),
                           ("marginal", net.marginal_kwh_per_gb)):
            source = sources.get(f"{basis}_kwh_per_gb", "source: see the preset YAML")
            parts.append(f"{basis} {j_per_byte(kwh) * 1e6:.3g} uJ/B = "
                         f"{network_j(wire, kwh) * 1e3:.3g} mJ ({source})")
        lines.append(f"network energy {cfg.name} (modelled, not metered): {wire} B/query "
                     f"({how}, + {2 * cfg.payload.overhead_bytes} B framing) x "
                     + "; ".join(parts))
    return lines


def datacenter_side(run: Run, side: SideMeasurement) -> SideMeasurement:
    """Return `side` (the run's measurement) with the server's own energy for a remote run."""
    return with_server_energy(run, side)[0]


def energy_uncertainty_rel(run: Run) -> float:
    """Return the relative uncertainty of the energy the deployment model uses for `run`."""
    if run.record.backend.name == "remote":
        return float((_more(run.record.energy, "server") or {}).get("uncertainty_rel") or 0.0)
    return run.record.energy.uncertainty_rel or 0.0


def pair_payload(dev: Run, dc: Run | None, fallback: tuple[Payload, str]) -> tuple[Payload, str]:
    """Return the bytes per query: measured on the wire by a remote datacenter run, else
    `fallback` (sized from the device run's tensors)."""
    measured = measured_payload(dc) if dc is not None else None
    if measured is None:
        return fallback
    return measured, "measured on the wire by the remote client"
