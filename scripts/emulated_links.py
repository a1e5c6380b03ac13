"""Measure models behind Triton over loopback and emulated links, and compare with the formula.

  .venv/bin/python scripts/emulated_links.py run OUT --models resnet8 vww \
      --profiles loopback eu_cloud_region transatlantic      # as root (namespaces, tc)
  .venv/bin/python scripts/emulated_links.py table OUT       # markdown table on stdout

`run` measures each model in-process (target=cpu) and then, per profile, starts `harness serve`
(behind `--network PROFILE` unless loopback), runs single-stream over REST and gRPC through
target=remote, and stops the server. `table` sets each remote p50 beside the in-process p50
plus the profile's RTT and the payload's transfer time at its rates, and beside the analytical
deployment model (harness.report.deployment.datacenter, fed the in-process p50, the payload,
the profile and the run's measured utilisation), with the record's split of the mean query
into the wire (network+serialisation) and the server (queue+compute, Triton's statistics).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from harness.report.deployment import Payload, SideMeasurement, datacenter
from harness.report.deployment_config import load_preset

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / ".venv-serve" / "bin" / "harness"
BENCH = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()"]
PORTS = (18000, 18001, 18002)


def _bench(out: Path, sweep: str, *overrides: str) -> None:
    subprocess.run([*BENCH, "-m", "quant=fp32", f"results_dir={out}", f"sweep={sweep}",
                    *overrides], cwd=ROOT, check=False, timeout=1800)


def serve(out: Path, model: str, profile: str, ports: tuple[int, int, int] = PORTS,
          extra: tuple[str, ...] = (), ready_model: str = "") -> tuple[subprocess.Popen, str]:
    """Start `harness serve` for `model` behind `profile` (loopback: 127.0.0.1) with `extra`
    arguments; return (the process, its host) once `ready_model` (default `model`) is ready."""
    http, grpc, metrics = ports
    args = [str(SERVE), "serve", "--http-port", str(http), "--grpc-port", str(grpc),
            "--metrics-port", str(metrics), f"model={model}", "quant=fp32", "target=cpu",
            f"results_dir={out}", *extra]
    args[2:2] = ["--host", "127.0.0.1"] if profile == "loopback" else ["--network", profile]
    log = out / f"serve-{model}-{profile}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(args, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(log.read_text()[-3000:])
        found = re.search(r"url=http://([\d.]+):", log.read_text())
        host = "127.0.0.1" if profile == "loopback" else (found[1] if found else None)
        if host:
            try:
                with urllib.request.urlopen(
                        f"http://{host}:{http}/v2/models/{ready_model or model}/ready",
                        timeout=2) as r:
                    if r.status == 200:
                        return proc, host
            except OSError:
                pass
        time.sleep(1)
    raise SystemExit(f"harness serve {model} {profile} did not become ready")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by serve() and its process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(120)


def run(out: Path, models: list[str], profiles: list[str]) -> None:
    """Measure every model in-process and behind every profile."""
    out.mkdir(parents=True, exist_ok=True)
    for model in models:
        _bench(out, f"{model}-inproc", f"model={model}", "target=cpu")
        for profile in profiles:
            proc, host = serve(out, model, profile)
            try:
                _bench(out, f"{model}-{profile}", f"model={model}", "target=remote",
                       f"network={profile}",
                       f"target.options.url=http://{host}:{PORTS[0]},grpc://{host}:{PORTS[1]}")
            finally:
                stop(proc)


def _records(out: Path) -> list[dict]:
    found = []
    for path in sorted(out.rglob("*.json")):
        text = path.read_text()
        if '"run_id"' in text[:300]:
            record = json.loads(text)
            if record.get("status") == "ok":
                found.append(record)
    return found


def _p50_ms(record: dict) -> float:
    return record["scenario"]["summary"]["p50"]["value_ns"] / 1e6


def _model_ms(service_ms: float, req: int, resp: int, net: dict, rho: float) -> float:
    """Return the analytical model's end-to-end latency (ms) for this link and utilisation."""
    base = load_preset("cloud_eu_fixed")
    network = dataclasses.replace(base.network, rtt_ms=net.get("rtt_ms") or 0.0,
                                  uplink_mbps=net.get("uplink_mbps") or float("inf"),
                                  downlink_mbps=net.get("downlink_mbps") or float("inf"))
    server = dataclasses.replace(base.server, utilisation=min(max(rho, 1e-9), 0.999))
    cfg = dataclasses.replace(base, network=network, server=server)
    side = SideMeasurement(service_ms / 1e3, service_ms / 1e3, None, None, None, True, "")
    return datacenter(side, Payload(req, resp), cfg).latency_s * 1e3


def table(out: Path) -> str:
    """Return the markdown comparison of every remote run with its in-process run."""
    records = _records(out)
    inproc = {r["config"]["model"]["name"]: _p50_ms(r) for r in records
              if r["config"]["target"]["backend"] != "remote"}
    rows = ["| model | link (RTT, Mbit/s up/down, mechanism) | protocol | in-process p50 ms "
            "| remote p50 ms (95% CI) | in-process + RTT + transfer ms | measured - that ms "
            "| model ms | model error ms | model error % | wire ms (mean) | server ms (mean) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    remote = [r for r in records if r["config"]["target"]["backend"] == "remote"]
    remote.sort(key=lambda r: (r["config"]["model"]["name"],
                               r["backend"]["network"].get("rtt_ms", 0) or 0,
                               r["backend"]["protocol"]))
    for r in remote:
        model, b = r["config"]["model"]["name"], r["backend"]
        net, pay, split = b["network"], b["payload"], b.get("server_split") or {}
        local = inproc.get(model)
        if local is None:
            continue
        up, down = net.get("uplink_mbps"), net.get("downlink_mbps")
        transfer = ((pay["request_bytes"] * 8 / (up * 1e6) if up else 0.0)
                    + (pay["response_bytes"] * 8 / (down * 1e6) if down else 0.0)) * 1e3
        rtt = net.get("rtt_ms") or 0.0
        simple = local + rtt + transfer
        measured = _p50_ms(r)
        p50 = r["scenario"]["summary"]["p50"]
        rho = r["scenario"]["throughput_sps"] * local / 1e3
        predicted = _model_ms(local, pay["request_bytes"], pay["response_bytes"], net, rho)
        link = (f"{net['profile']} ({rtt:g} ms, {up:g}/{down:g}, {net['mechanism']})"
                if net["kind"] == "emulated" else net["kind"])
        rows.append(f"| {model} | {link} | {b['protocol']} | {local:.2f} | {measured:.2f} "
                    f"({p50['ci_low_ns'] / 1e6:.2f}-{p50['ci_high_ns'] / 1e6:.2f}) "
                    f"| {simple:.2f} | {measured - simple:+.2f} | {predicted:.2f} "
                    f"| {predicted - measured:+.2f} "
                    f"| {(predicted - measured) / measured * 100:+.0f} "
                    f"| {split.get('network_serialisation_ns', 0) / 1e6:.2f} "
                    f"| {split.get('server_request_ns', 0) / 1e6:.2f} |")
    return "\n".join(rows)


def command_line(description: str, profiles: list[str]
                 ) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Return the parser of `run OUT [--models ...] [--profiles ...]` and `table OUT`, with
    `profiles` as --profiles' default, and its `run` sub-parser (for a script's own options)."""
    parser = argparse.ArgumentParser(description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--models", nargs="+", default=["resnet8", "vww"])
    r.add_argument("--profiles", nargs="+", default=profiles)
    t = sub.add_parser("table")
    t.add_argument("out", type=Path)
    return parser, r


def main() -> int:
    """Parse the command line and run or tabulate."""
    parser, _ = command_line(__doc__.splitlines()[0],
                             ["loopback", "eu_cloud_region", "transatlantic"])
    args = parser.parse_args()
    if args.command == "run":
        run(args.out, args.models, args.profiles)
    else:
        print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
