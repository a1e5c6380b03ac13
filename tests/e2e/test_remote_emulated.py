"""A real Triton server behind an emulated 15 ms link, measured through target=remote (root)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import free_ports

pytest.importorskip("tritonclient.grpc", reason="tritonclient is not installed (extra 'remote')")

from harness.network.link import find_link, probe  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / ".venv-serve" / "bin" / "harness"
BENCH = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()"]
PROBE = probe()
pytestmark = [
    pytest.mark.skipif(not SERVE.exists(), reason=".venv-serve is missing (make serve-env "
                       "installs PyTriton; it needs numpy<2)"),
    pytest.mark.skipif(not PROBE.available, reason=PROBE.reason)]


def _wait_ready(proc: subprocess.Popen, log: Path, http: int) -> str:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        found = re.search(r"url=http://([\d.]+):", log.read_text())
        if found:
            try:
                with urllib.request.urlopen(f"http://{found[1]}:{http}/v2/models/resnet8/ready",
                                            timeout=2) as r:
                    if r.status == 200:
                        return found[1]
            except OSError:
                pass
        time.sleep(1)
    raise AssertionError("harness serve --network did not become ready in 240 s")


def test_a_15_ms_link_is_measured_and_recorded_as_emulated(tmp_path: Path) -> None:
    http, grpc, metrics = free_ports(3)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(SERVE), "serve", "--network", "eu_cloud_region", "--http-port", str(http),
             "--grpc-port", str(grpc), "--metrics-port", str(metrics), "--log-file",
             str(tmp_path / "triton.log"), "model=resnet8", "quant=fp32", "target=cpu",
             f"results_dir={tmp_path}"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        host = _wait_ready(proc, log, http)
        subprocess.run([*BENCH, "model=resnet8", "quant=fp32", f"results_dir={tmp_path / 'r'}",
                        "target=remote", "network=eu_cloud_region",
                        f"target.options.url=grpc://{host}:{grpc}", "scenario.warmup_count=3",
                        "scenario.min_count=15", "scenario.min_duration_s=0.2",
                        "fidelity_samples=2"], cwd=ROOT, check=False, timeout=300,
                       capture_output=True)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(60)
    [record] = [json.loads(p.read_text()) for p in (tmp_path / "r").rglob("*.json")
                if '"run_id"' in p.read_text()[:300]]
    assert record["status"] == "ok", record["reason"]
    network = record["backend"]["network"]
    assert (network["kind"], network["profile"], network["rtt_ms"]) \
        == ("emulated", "eu_cloud_region", 15.0)
    assert network["mechanism"] in ("netem", "proxy+tbf")
    assert record["scenario"]["summary"]["p50"]["value_ns"] >= 15e6
    assert find_link(host, grpc) is None  # the link went down with the server
