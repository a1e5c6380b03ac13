"""harness serve --network NAME: the server in a network namespace behind an emulated link.

The parent sets up the link (harness.network.link), starts `harness serve` again inside the
namespace (same options, bound to the namespace's address), prints what clients pass, and
tears the link down when the server stops, however it stops."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from harness.core.errors import ConfigError, did_you_mean
from harness.network.config import NetworkConfig
from harness.network.link import emulated_link
from harness.run.hydra_app import CONFIG_DIR
from harness.serve.config import ServeConfig

LINK_FIELDS = ("network", "netns")


def load_profile(name: str) -> NetworkConfig:
    """Return the network profile configs/network/NAME.yaml; ConfigError if it is unknown."""
    folder = Path(CONFIG_DIR) / "network"
    known = sorted(p.stem for p in folder.glob("*.yaml"))
    if name not in known:
        raise ConfigError(f"Unknown network profile '{name}'.{did_you_mean(name, known)}",
                          f"Use one of: {', '.join(known)} (configs/network/).")
    profile = NetworkConfig(**OmegaConf.to_container(OmegaConf.load(folder / f"{name}.yaml")))
    if not profile.emulate:
        raise ConfigError(f"--network {name} emulates nothing (kind {profile.kind}).",
                          "Drop --network to serve on this host's own network, or name an "
                          "emulated profile, e.g. --network eu_cloud_region.")
    return profile


def child_argv(args: argparse.Namespace, cfg: ServeConfig, host: str) -> list[str]:
    """Return the command line of the same server, bound to `host`, without the link."""
    argv = [sys.executable, "-c", "from harness.cli import main; main()", "serve"]
    for f in fields(ServeConfig):
        if f.name in LINK_FIELDS:
            continue
        value = host if f.name == "host" else getattr(cfg, f.name)
        flag = "--" + f.name.replace("_", "-")
        if isinstance(value, bool):
            argv += [flag] if value else []
        else:
            argv += [flag, str(value)]
    if args.log_file is not None:
        argv += ["--log-file", str(args.log_file)]
    return argv + list(args.overrides)


def serve_behind_link(args: argparse.Namespace, cfg: ServeConfig) -> int:
    """Serve inside a namespace behind the profile's link until stopped; return its status."""
    profile = load_profile(cfg.network)
    ports = [cfg.http_port, cfg.grpc_port, cfg.metrics_port]
    with emulated_link(profile, ports, cfg.netns or None) as link:
        rates = f"{profile.uplink_mbps or 'unshaped'}/{profile.downlink_mbps or 'unshaped'}"
        client = link.client_address
        print(f"harness serve: emulated link '{profile.name}' up ({profile.rtt_ms} ms RTT, "
              f"{rates} Mbit/s up/down, {link.mechanism}; namespace {link.netns}). Once the "
              f"model is ready, clients run: harness-bench target=remote network={profile.name} "
              f"target.options.url=http://{client}:{cfg.http_port} (or "
              f"grpc://{client}:{cfg.grpc_port}).", flush=True)
        proc = subprocess.Popen(["ip", "netns", "exec", link.netns,
                                 *child_argv(args, cfg, link.server_address)])

        def stop(signum: int, frame: Any) -> None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            return proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
