"""On-device vs datacenter deployment model: end-to-end latency, energy and CO2e per inference.

Datacenter latency = RTT + uplink and downlink transfer + serialisation + queueing wait + the
server's service time (its run's percentile). Queueing is M/D/1 by default (Poisson arrivals,
deterministic service, which suits a fixed model on fixed hardware): mean wait
Wq = rho * S / (2 * (1 - rho)); `queue_model: mm1` uses Wq = rho * S / (1 - rho). Only the mean
wait is added to the percentile of service, so the percentile is approximate under load.

Datacenter energy = PUE * (server net J/inference + idle_share * P_idle / (rho * mu)), where
mu = 1/S is the server's service rate: at utilisation rho it serves rho*mu inferences/s, and its
idle power is shared among them. Without a net figure the gross J/inference stands in (its idle
power already included at full load). Network energy = bytes * intensity, once with the average
(attributional) kWh/GB and once with the marginal (power-model) kWh/GB.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from harness.report.deployment_config import DeploymentConfig

J_PER_KWH = 3.6e6


@dataclass(frozen=True)
class SideMeasurement:
    """What one run contributes: latency (s), energy (J/inference), idle power (W), labels."""

    latency_s: float
    service_s: float
    gross_j: float | None
    net_j: float | None
    idle_power_w: float | None
    estimated: bool
    run_id: str


@dataclass(frozen=True)
class Payload:
    """Bytes sent per inference: request (input tensors) and response (output tensors)."""

    request_bytes: int
    response_bytes: int


@dataclass(frozen=True)
class DeploymentResult:
    """One deployment's end-to-end figures per inference (s, J, gCO2e) with its parts."""

    name: str
    latency_s: float
    energy_avg_j: float | None
    energy_marginal_j: float | None
    co2e_g: float | None
    network_s: float
    queue_s: float
    server_j: float | None
    network_avg_j: float
    estimated: bool
    notes: tuple[str, ...] = ()


def wait_s(service_s: float, utilisation: float, queue_model: str) -> float:
    """Return the mean queueing wait (s) of M/D/1 or M/M/1 at this utilisation."""
    factor = 2.0 if queue_model == "md1" else 1.0
    return utilisation * service_s / (factor * (1.0 - utilisation))


def transfer_s(payload: Payload, cfg: DeploymentConfig) -> float:
    """Return RTT + uplink + downlink transfer + serialisation time in seconds."""
    net, over = cfg.network, cfg.payload.overhead_bytes
    up = (payload.request_bytes + over) * 8 / (net.uplink_mbps * 1e6)
    down = (payload.response_bytes + over) * 8 / (net.downlink_mbps * 1e6)
    return net.rtt_ms / 1e3 + up + down + cfg.payload.serialise_ms / 1e3


def wire_bytes(payload: Payload, cfg: DeploymentConfig) -> int:
    """Return the bytes on the wire per inference, both ways, framing included."""
    return payload.request_bytes + payload.response_bytes + 2 * cfg.payload.overhead_bytes


def server_j(dc: SideMeasurement, cfg: DeploymentConfig) -> tuple[float | None, list[str]]:
    """Return the server's facility energy per inference (J, PUE applied) and notes."""
    notes = []
    s = cfg.server
    idle_w = s.idle_power_w if s.idle_power_w is not None else dc.idle_power_w
    if dc.net_j is not None and idle_w is not None:
        dynamic = dc.net_j
        if dynamic <= 0:
            notes.append("server net energy not positive (idle baseline >= active); dynamic "
                         "part taken as 0")
            dynamic = 0.0
        rate = s.utilisation / dc.service_s
        return s.pue * (dynamic + s.idle_power_share * idle_w / rate), notes
    if dc.gross_j is None:
        return None, ["datacenter run has no energy"]
    notes.append("no idle baseline: gross J/inference used (idle at full load)")
    return s.pue * dc.gross_j, notes


def on_device(dev: SideMeasurement, cfg: DeploymentConfig) -> DeploymentResult:
    """Return the on-device deployment: the device run's own latency and gross energy."""
    co2 = None if dev.gross_j is None else dev.gross_j / J_PER_KWH * cfg.carbon.device_g_per_kwh
    return DeploymentResult(cfg.name, dev.latency_s, dev.gross_j, dev.gross_j, co2, 0.0, 0.0,
                            None, 0.0, dev.estimated)


def datacenter(dc: SideMeasurement, payload: Payload, cfg: DeploymentConfig,
               dev_estimated: bool = False) -> DeploymentResult:
    """Return a datacenter deployment's latency, energy (average/marginal basis) and CO2e."""
    queue = wait_s(dc.service_s, cfg.server.utilisation, cfg.server.queue_model)
    network = transfer_s(payload, cfg)
    latency = network + queue + dc.latency_s
    server, notes = server_j(dc, cfg)
    gb = wire_bytes(payload, cfg) / 1e9
    net_avg = gb * cfg.network.average_kwh_per_gb * J_PER_KWH
    net_marg = gb * cfg.network.marginal_kwh_per_gb * J_PER_KWH
    client = cfg.client.wait_power_w * latency
    if server is None:
        return DeploymentResult(cfg.name, latency, None, None, None, network, queue, None,
                                net_avg, dc.estimated, tuple(notes))
    c = cfg.carbon
    co2 = (server * c.datacenter_g_per_kwh + net_avg * c.network_g_per_kwh
           + client * c.device_g_per_kwh) / J_PER_KWH
    return DeploymentResult(cfg.name, latency, server + net_avg + client,
                            server + net_marg + client, co2, network, queue, server, net_avg,
                            dc.estimated or (dev_estimated and client > 0), tuple(notes))


def evaluate(dev: SideMeasurement, dc: SideMeasurement, payload: Payload,
             presets: Sequence[DeploymentConfig]) -> list[DeploymentResult]:
    """Return every preset's result, in preset order, for one device and datacenter side."""
    return [on_device(dev, cfg) if cfg.kind == "on_device"
            else datacenter(dc, payload, cfg, dev.estimated) for cfg in presets]


def rtt_crossover_ms(dev: DeploymentResult, dc: DeploymentResult, cfg: DeploymentConfig
                     ) -> float | None:
    """Return the RTT (ms) below which the datacenter is faster, or None if never (RTT >= 0)."""
    rest_s = dc.latency_s - cfg.network.rtt_ms / 1e3
    rtt_s = dev.latency_s - rest_s
    return rtt_s * 1e3 if rtt_s > 0 else None


def uplink_crossover_mbps(dev: DeploymentResult, dc: DeploymentResult, payload: Payload,
                          cfg: DeploymentConfig) -> float | None:
    """Return the uplink Mbit/s above which the datacenter is faster, or None if never."""
    up_bits = (payload.request_bytes + cfg.payload.overhead_bytes) * 8
    rest_s = dc.latency_s - up_bits / (cfg.network.uplink_mbps * 1e6)
    spare_s = dev.latency_s - rest_s
    return up_bits / spare_s / 1e6 if spare_s > 0 else None


def intensity_crossover_kwh_per_gb(dev: DeploymentResult, dc: DeploymentResult,
                                   payload: Payload, cfg: DeploymentConfig) -> float | None:
    """Return the network kWh/GB below which the datacenter uses less energy, or None."""
    if dev.energy_avg_j is None or dc.energy_avg_j is None:
        return None
    fixed_j = dc.energy_avg_j - dc.network_avg_j
    spare_j = dev.energy_avg_j - fixed_j
    gb = wire_bytes(payload, cfg) / 1e9
    return spare_j / (gb * J_PER_KWH) if spare_j > 0 and gb > 0 else None


def finite(value: float | None) -> bool:
    """Return True for a finite number (not None, inf or nan)."""
    return value is not None and math.isfinite(value)
