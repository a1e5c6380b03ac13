"""Deployment presets (configs/deployment/*.yaml): typed, validated, overridable from YAML.

The YAML files are the documentation: each default there carries its source and year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError
from harness.core.yaml_file import load_yaml

PRESET_DIR = Path(__file__).resolve().parents[2] / "configs" / "deployment"
QUEUE_MODELS = ("md1", "mm1")


@dataclass(frozen=True)
class NetworkConfig:
    """Link between device and server: RTT, bandwidths (Mbit/s) and energy intensities."""

    access: str = "fixed"
    rtt_ms: float = 0.0
    uplink_mbps: float = math.inf
    downlink_mbps: float = math.inf
    average_kwh_per_gb: float = 0.0
    marginal_kwh_per_gb: float = 0.0
    sources: dict[str, str] = field(default_factory=dict)  # key -> its cited source


@dataclass(frozen=True)
class PayloadConfig:
    """Per-request serialisation: framing bytes each way and encode/decode time (ms)."""

    overhead_bytes: int = 0
    serialise_ms: float = 0.0


@dataclass(frozen=True)
class ServerConfig:
    """The datacenter server: queue model, utilisation (0-1), PUE and idle-power share."""

    queue_model: str = "md1"
    utilisation: float = 0.5
    pue: float = 1.0
    idle_power_share: float = 1.0
    idle_power_w: float | None = None


@dataclass(frozen=True)
class ClientConfig:
    """The device while it waits for a remote answer: its power in W (0 = not counted)."""

    wait_power_w: float = 0.0


@dataclass(frozen=True)
class CarbonConfig:
    """Grid carbon intensity (gCO2e/kWh) where each part draws its electricity."""

    device_g_per_kwh: float = 251.0
    network_g_per_kwh: float = 251.0
    datacenter_g_per_kwh: float = 251.0


@dataclass(frozen=True)
class DeploymentConfig:
    """One deployment: on_device (the device run alone) or datacenter (server + network)."""

    name: str
    kind: str = "datacenter"
    network: NetworkConfig = field(default_factory=NetworkConfig)
    payload: PayloadConfig = field(default_factory=PayloadConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    client: ClientConfig = field(default_factory=ClientConfig)
    carbon: CarbonConfig = field(default_factory=CarbonConfig)


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}.",
                          f"Valid keys: {', '.join(names)}.")
    kwargs = {}
    for key, value in data.items():
        factory = names[key].default_factory
        if isinstance(value, dict) and is_dataclass(factory):
            value = _build(factory, value, f"{where}.{key}")  # type: ignore[arg-type]
        kwargs[key] = value
    return cls(**kwargs)


def validate(cfg: DeploymentConfig) -> DeploymentConfig:
    """Return cfg when its values are physically sensible, else raise ConfigError with the fix."""
    problems = []
    if cfg.kind not in ("on_device", "datacenter"):
        problems.append(f"kind '{cfg.kind}' (use on_device or datacenter)")
    if not 0 < cfg.server.utilisation < 1:
        problems.append("server.utilisation must be strictly between 0 and 1")
    if cfg.server.pue < 1:
        problems.append("server.pue must be >= 1")
    if cfg.server.queue_model not in QUEUE_MODELS:
        problems.append(f"server.queue_model must be one of {QUEUE_MODELS}")
    if min(cfg.network.uplink_mbps, cfg.network.downlink_mbps) <= 0 or cfg.network.rtt_ms < 0:
        problems.append("network bandwidths must be > 0 and rtt_ms >= 0")
    if problems:
        raise ConfigError(f"Deployment '{cfg.name}': " + "; ".join(problems) + ".",
                          "Fix the preset YAML (see configs/deployment/*.yaml for examples).")
    return cfg


def load_preset(name_or_path: str) -> DeploymentConfig:
    """Return the preset called `name_or_path` in configs/deployment/, or read that YAML file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PRESET_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        valid = sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
        raise ConfigError(f"No deployment preset '{name_or_path}'.",
                          f"Use one of {', '.join(valid)} or a path to a YAML file.")
    data = load_yaml(path, "deployment preset")
    data.setdefault("name", path.stem)
    for section in ("cost", "residency"):  # read by harness.report.cost_report, not here
        data.pop(section, None)
    return validate(_build(DeploymentConfig, data, path.name))


def shipped_presets() -> list[DeploymentConfig]:
    """Return every preset shipped in configs/deployment/, on_device first."""
    names = sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
    return [load_preset(n) for n in sorted(names, key=lambda n: n != "on_device")]
