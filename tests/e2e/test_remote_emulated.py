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
from harness.report.deployment_config import load_preset  # noqa: E402
from harness.report.deployment_measured_cli import split_remote  # noqa: E402
from harness.report.load import load_runs  # noqa: E402
from harness.report.verdict import decide  # noqa: E402

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


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str, int]:
    """One remote run of ResNet-8 through a real Triton behind the eu_cloud_region link."""
    tmp_path = tmp_path_factory.mktemp("emulated")
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
    return tmp_path, record, host, grpc


def test_a_15_ms_link_is_measured_and_recorded_as_emulated(
        emulated: tuple[Path, dict, str, int]) -> None:
    _, record, host, grpc = emulated
    assert record["status"] == "ok", record["reason"]
    network = record["backend"]["network"]
    assert (network["kind"], network["profile"], network["rtt_ms"]) \
        == ("emulated", "eu_cloud_region", 15.0)
    assert network["mechanism"] in ("netem", "proxy+tbf")
    assert record["scenario"]["summary"]["p50"]["value_ns"] >= 15e6
    assert find_link(host, grpc) is None  # the link went down with the server


def test_harness_deploy_takes_the_measured_latency_for_the_preset_the_link_matches(
        emulated: tuple[Path, dict, str, int]) -> None:
    tmp_path, record, _, _ = emulated
    subprocess.run([*BENCH, "model=resnet8", "quant=fp32", f"results_dir={tmp_path / 'dev'}",
                    "target=cpu", "scenario.min_count=50", "scenario.min_duration_s=0.2"],
                   cwd=ROOT, check=False, timeout=300, capture_output=True)
    preset = tmp_path / "eu_15ms.yaml"  # a 15 ms preset (cloud_eu_fixed with its RTT moved)
    preset.write_text((ROOT / "configs/deployment/cloud_eu_fixed.yaml").read_text()
                      .replace("rtt_ms: 30.0", "rtt_ms: 15.0")
                      .replace("name: cloud_eu_fixed", "name: eu_15ms"))
    done = subprocess.run(
        [sys.executable, "-c", "from harness.cli import main; main()", "deploy", "--device",
         str(tmp_path / "dev"), "--datacenter", str(tmp_path), "--out", str(tmp_path / "dep"),
         "--presets", "on_device", str(preset), "edge_server", "--html"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads((tmp_path / "dep" / "deployment_measured.json").read_text())
    [c] = out["comparisons"]  # matched to the 15 ms preset only, not to edge_server (2 ms)
    assert (c["deployment"], c["matched"]) == ("eu_15ms", True)
    p50_ms = record["scenario"]["summary"]["p50"]["value_ns"] / 1e6
    assert c["measured_p50_ms"] == pytest.approx(p50_ms)
    assert c["error_p50_ms"] == pytest.approx(c["modelled_p50_ms"] - p50_ms)
    assert c["modelled_p50_ms"] > 15  # the link's RTT is in the model
    [basis] = out["datacenter_latency_basis"].values()
    assert basis["eu_15ms"]["basis"] == "measured" and basis["edge_server"]["basis"] == \
        "modelled"
    assert basis["eu_15ms"]["latency_ms"] == pytest.approx(p50_ms)
    assert f"datacenter latency eu_15ms: {p50_ms:.3g} ms measured" in done.stdout
    assert "measured vs modelled" in (tmp_path / "dep" / "deployment.html").read_text()
    # the verdict (decision report): the 15 ms option's latency is the measurement, with its CI
    remote, (dev, _) = split_remote(load_runs([tmp_path / "dev"]), load_runs([tmp_path / "r"]))
    [decision] = decide(dev, dev, [(load_preset("on_device"), "on_device"),
                                   (load_preset(str(preset)), str(preset))], remote=remote)
    latency = next(v for v in decision.verdicts if v.metric == "latency")
    summary = record["scenario"]["summary"]["p50"]
    assert (latency.datacenter.option, latency.datacenter.basis) == ("eu_15ms", "measured")
    assert (latency.datacenter.value, latency.datacenter.low, latency.datacenter.high) == \
        pytest.approx((p50_ms, summary["ci_low_ns"] / 1e6, summary["ci_high_ns"] / 1e6))
    assert latency.device.basis == "measured"
