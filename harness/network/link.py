"""An emulated link on one host: the server in its own network namespace, the path shaped.

`emulated_link(profile, ports)` creates a namespace and a veth pair (10.231.N.1 on the host,
10.231.N.2 inside), then shapes the pair for real: with the `netem` qdisc where the kernel has
it (delay and rate on each end), else rate with `tbf` on each end (client->server on the host's
end, server->client on the namespace's) and the delay with the user-space proxy
(harness.network.proxy) listening on the host's end. Nothing is added in the client. Whatever
happens inside the block, the proxy is stopped and the namespace (with its veth pair and
qdiscs) is deleted on the way out.

While the link is up, a state file in LINK_DIR describes it, so a client that connects to its
address can record which link it went through (`find_link`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import HarnessError
from harness.core.probe import Probe
from harness.network.config import NetworkConfig

LINK_DIR = Path(os.environ.get("EDGE_HARNESS_LINK_DIR", "/run/edge-harness/links"))
SUBNET = "10.231"
NEEDS_ROOT = ("An emulated link needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`, "
              "`ip link` and `tc`). Run harness serve --network as root, or measure over "
              "loopback (network=loopback) or over the real network to your server.")


class LinkError(HarnessError):
    """The emulated link could not be set up on this host."""


@dataclass(frozen=True)
class Link:
    """A link that is up: where the server binds, where the client connects, how it is shaped."""

    netns: str
    host_address: str
    server_address: str
    mechanism: str  # netem | proxy+tbf | proxy | tbf
    profile: NetworkConfig
    ports: tuple[int, ...]
    qdiscs: tuple[str, ...]
    proxy_policy: str = ""  # the delay proxy's CPU scheduling policy ('' : no proxy)

    @property
    def client_address(self) -> str:
        """Return the address clients connect to (the proxy's where one delays the path)."""
        return self.host_address if self.mechanism.startswith("proxy") else self.server_address

    def describe(self) -> dict:
        """Return the link as a record keeps it."""
        return {**self.profile.describe(), "mechanism": self.mechanism, "netns": self.netns,
                "client_address": self.client_address, "server_address": self.server_address,
                "ports": list(self.ports), "qdiscs": list(self.qdiscs),
                "proxy_policy": self.proxy_policy}


def _run(cmd: list[str], netns: str | None = None) -> subprocess.CompletedProcess:
    full = ["ip", "netns", "exec", netns, *cmd] if netns else cmd
    return subprocess.run(full, capture_output=True, text=True, timeout=30, check=False)


def _must(cmd: list[str], netns: str | None = None) -> None:
    done = _run(cmd, netns)
    if done.returncode != 0:
        raise LinkError(f"Setting up the emulated link failed: `{' '.join(cmd)}` said "
                        f"'{done.stderr.strip()}'.", NEEDS_ROOT)


def probe() -> Probe:
    """Return whether this host can create namespaces and veth pairs (root, ip, tc)."""
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return Probe(False, f"`{tool}` (iproute2) is not installed. {NEEDS_ROOT}")
    name = f"eh-probe-{os.getpid()}"
    done = _run(["ip", "netns", "add", name])
    if done.returncode != 0:
        return Probe(False, f"`ip netns add` failed ('{done.stderr.strip()}'). {NEEDS_ROOT}")
    _run(["ip", "netns", "del", name])
    return Probe(True)


def _free_subnet() -> int:
    used = set(re.findall(rf"{SUBNET}\.(\d+)\.", _run(["ip", "-o", "-4", "addr"]).stdout))
    for n in range(1, 255):
        if str(n) not in used and not Path(f"/sys/class/net/eh{n}h").exists():
            return n
    raise LinkError(f"No free {SUBNET}.N.0/30 subnet for an emulated link.",
                    "Remove stale links: ip netns list, then ip netns del eh-<pid>.")


def _tbf(dev: str, mbps: float, netns: str | None) -> str:
    rate_bytes_s = mbps * 1e6 / 8
    burst = max(3200, int(rate_bytes_s / 4000))  # <= 0.25 ms at the rate, >= two frames
    limit = max(1 << 20, int(rate_bytes_s))  # a second's worth queued, never dropped early
    args = ["tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f"{mbps}mbit",
            "burst", str(burst), "limit", str(limit)]
    _must(args, netns)
    return " ".join(args[3:])


def _netem(dev: str, delay_ms: float, mbps: float | None, netns: str | None) -> str | None:
    """Add netem (delay, and rate when given) on dev; None when the kernel has no netem."""
    args = ["tc", "qdisc", "add", "dev", dev, "root", "netem", "delay", f"{delay_ms}ms",
            "limit", "100000"]
    if mbps is not None:
        args += ["rate", f"{mbps}mbit"]
    done = _run(args, netns)
    if done.returncode == 0:
        return " ".join(args[3:])
    if "unknown" in done.stderr.lower() or "not supported" in done.stderr.lower():
        return None
    raise LinkError(f"`{' '.join(args)}` failed: '{done.stderr.strip()}'.", NEEDS_ROOT)


def _shape(profile: NetworkConfig, host_if: str, ns_if: str, netns: str) -> tuple[str, list]:
    """Shape both ends; return the mechanism and the qdiscs added."""
    delay_ms = profile.rtt_ms / 2
    if delay_ms > 0:
        up = _netem(host_if, delay_ms, profile.uplink_mbps, None)
        if up is not None:
            down = _netem(ns_if, delay_ms, profile.downlink_mbps, netns)
            return "netem", [f"{host_if}: {up}", f"{ns_if}: {down}"]
    qdiscs = []
    if profile.uplink_mbps is not None:
        qdiscs.append(f"{host_if}: {_tbf(host_if, profile.uplink_mbps, None)}")
    if profile.downlink_mbps is not None:
        qdiscs.append(f"{ns_if}: {_tbf(ns_if, profile.downlink_mbps, netns)}")
    if delay_ms > 0:
        return ("proxy+tbf" if qdiscs else "proxy"), qdiscs
    return "tbf", qdiscs


def _start_proxy(host: str, server: str, ports: list[int],
                 delay_s: float) -> tuple[subprocess.Popen, str]:
    """Start the delay proxy host:port -> server:port; return it and its CPU policy."""
    routes = [f"{host}:{p}={server}:{p}" for p in ports]
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.network.proxy", "--delay-ms", str(delay_s * 1e3),
         *routes],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("ready"):
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        raise LinkError(f"The delay proxy did not start: {err.strip()[-600:]}",
                        "Check that the ports are free on the host's end of the link.")
    return proc, line.removeprefix("ready").strip()


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _state_file(netns: str) -> Path:
    return LINK_DIR / f"{netns}.json"


@contextlib.contextmanager
def emulated_link(profile: NetworkConfig, ports: list[int],
                  name: str | None = None) -> Iterator[Link]:
    """Yield a shaped link whose server side is the namespace `name`; tear it all down after."""
    if shutil.which("ip") is None or shutil.which("tc") is None:
        raise LinkError("`ip` and `tc` (iproute2) are not installed.", NEEDS_ROOT)
    netns = name or f"eh-{os.getpid()}"
    n = _free_subnet()
    host_if, ns_if = f"eh{n}h", f"eh{n}n"
    created, proxy, state = False, None, _state_file(netns)
    try:
        done = _run(["ip", "netns", "add", netns])
        if done.returncode != 0:
            raise LinkError(f"Could not create the network namespace '{netns}': "
                            f"'{done.stderr.strip()}'.", NEEDS_ROOT)
        created = True
        _must(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if,
               "netns", netns])
        _must(["ip", "addr", "add", f"{SUBNET}.{n}.1/30", "dev", host_if])
        _must(["ip", "link", "set", host_if, "up"])
        for cmd in (["ip", "addr", "add", f"{SUBNET}.{n}.2/30", "dev", ns_if],
                    ["ip", "link", "set", ns_if, "up"], ["ip", "link", "set", "lo", "up"]):
            _must(cmd, netns)
        mechanism, qdiscs = _shape(profile, host_if, ns_if, netns)
        host, server, policy = f"{SUBNET}.{n}.1", f"{SUBNET}.{n}.2", ""
        if mechanism.startswith("proxy"):
            proxy, policy = _start_proxy(host, server, ports, profile.one_way_delay_s)
        link = Link(netns, host, server, mechanism, profile, tuple(ports), tuple(qdiscs),
                    policy)
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({**link.describe(), "pid": os.getpid(),
                                     "since": time.time()}))
        yield link
    finally:
        _stop(proxy)
        state.unlink(missing_ok=True)
        if created:
            _run(["ip", "netns", "del", netns])  # takes the veth pair and its qdiscs with it
        if Path(f"/sys/class/net/{host_if}").exists():
            _run(["ip", "link", "del", host_if])


def find_link(host: str, port: int) -> dict | None:
    """Return the state of the live emulated link that serves host:port, else None."""
    if not LINK_DIR.is_dir():
        return None
    for path in sorted(LINK_DIR.glob("*.json")):
        try:
            state = json.loads(path.read_text())
            os.kill(int(state["pid"]), 0)  # a stale file from a killed owner does not count
        except (OSError, ValueError, KeyError):
            continue
        if state.get("client_address") == host and port in state.get("ports", []):
            return {k: v for k, v in state.items() if k not in ("pid", "since")}
    return None
