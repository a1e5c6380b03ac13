"""A real Triton server (harness serve) measured through target=remote, REST and gRPC."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import free_ports

pytest.importorskip("tritonclient.http", reason="tritonclient is not installed (extra 'remote')")

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / ".venv-serve" / "bin" / "harness"
BENCH = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()"]
PARTS = ("network_serialisation_ns", "server_queue_ns", "server_compute_input_ns",
         "server_compute_infer_ns", "server_compute_output_ns", "server_other_ns")
pytestmark = pytest.mark.skipif(not SERVE.exists(), reason=".venv-serve is missing (make "
                                "serve-env installs PyTriton; it needs numpy<2)")


def _start(tmp: Path, *extra: str) -> tuple[subprocess.Popen, int, int]:
    http, grpc, metrics = free_ports(3)
    log = (tmp / f"serve-{http}.log").open("w")
    proc = subprocess.Popen(
        [str(SERVE), "serve", "--host", "127.0.0.1", "--http-port", str(http), "--grpc-port",
         str(grpc), "--metrics-port", str(metrics), "--log-file", str(tmp / f"t-{http}.log"),
         *extra, "model=resnet8", "quant=fp32", "target=cpu", f"results_dir={tmp}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 360
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((tmp / f"serve-{http}.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http}/v2/models/resnet8/ready",
                                        timeout=2) as r:
                if r.status == 200:
                    return proc, http, grpc
        except OSError:
            time.sleep(1)
    proc.kill()
    raise AssertionError("harness serve did not become ready in 360 s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    proc, http, grpc = _start(tmp_path_factory.mktemp("serve"), "--dynamic-batching",
                              "--max-queue-delay-us", "2000", "--image-input")
    yield http, grpc
    _stop(proc)


def _wait_for_requests(http: int, timeout_s: float) -> None:
    """Return once the served model has answered a request (its statistics say so)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/v2/models/resnet8/stats",
                                    timeout=2) as r:
            stats = json.loads(r.read())["model_stats"]
        if stats and int(stats[0]["inference_stats"]["success"]["count"]) > 0:
            time.sleep(1)  # past the warm-up, into the timed window
            return
        time.sleep(0.5)
    raise AssertionError(f"no request reached the server in {timeout_s} s")


def _records(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.rglob("*.json"))
            if "run_id" in p.read_text()[:200]]


def _deploy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from harness.cli import main; main()",
                           "deploy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def _bench(tmp: Path, *overrides: str, timeout: int = 400) -> list[dict]:
    subprocess.run([*BENCH, "-m", "model=resnet8", "quant=fp32", f"results_dir={tmp}",
                    "scenario.min_count=50", "scenario.min_duration_s=0.3", *overrides],
                   cwd=ROOT, check=False, timeout=timeout, capture_output=True)
    return _records(tmp)


def test_a_sweep_through_the_remote_target_records_a_split_that_adds_up(
        server: tuple[int, int], tmp_path: Path) -> None:
    http, grpc = server
    records = _bench(tmp_path, "target=remote",
                     f"target.options.url=http://127.0.0.1:{http},grpc://127.0.0.1:{grpc}")
    assert sorted(r["backend"]["protocol"] for r in records) == ["grpc", "http"]
    for record in records:
        assert record["status"] == "ok", record["reason"]
        backend = record["backend"]
        assert backend["server"]["name"] == "triton" and backend["network"]["kind"] == "loopback"
        assert backend["payload"]["request_bytes"] > 3 * 32 * 32 * 4  # the input tensor at least
        split = backend["server_split"]
        assert split["available"], split
        assert sum(split[k] for k in PARTS) == pytest.approx(split["client_mean_ns"])
        assert split["server_compute_infer_ns"] > 0 and split["network_serialisation_ns"] > 0
        assert record["accuracy"]["gate"]["passed"] is True  # the served model is the run's model


def test_concurrent_clients_let_the_dynamic_batcher_form_batches(server: tuple[int, int],
                                                                 tmp_path: Path) -> None:
    http, grpc = server  # REST's client is bound to its thread: each worker makes its own
    records = _bench(tmp_path, "target=remote", "scenario=server", "scenario.target_qps=300",
                     f"target.options.url=http://127.0.0.1:{http},grpc://127.0.0.1:{grpc}",
                     "scenario.max_in_flight=8", "scenario.latency_bound_ms=2000",
                     "scenario.min_count=150")
    assert sorted(r["backend"]["protocol"] for r in records) == ["grpc", "http"]
    for record in records:
        assert record["status"] == "ok", record["reason"]
        assert record["scenario"]["extra"]["max_in_flight"] == 8
        split = record["backend"]["server_split"]
        assert split["available"], split
        assert sum(split[k] for k in PARTS) == pytest.approx(split["client_mean_ns"])
        assert split["server_mean_batch"] > 1.0, split  # 8 clients: requests merged


def test_a_wrong_model_name_is_a_failed_record_that_names_it(server: tuple[int, int],
                                                             tmp_path: Path) -> None:
    http, _ = server
    [record] = _bench(tmp_path, "target=remote", f"target.options.url=http://127.0.0.1:{http}",
                      "target.options.model_name=resnet9")
    assert record["status"] == "failed" and "resnet9" in record["reason"]


def test_a_shape_the_served_model_rejects_is_a_failed_record_that_names_it(
        server: tuple[int, int], tmp_path: Path) -> None:
    http, _ = server  # ResNet-8 is served (3x32x32); VWW sends 3x96x96 to it
    subprocess.run([*BENCH, "model=vww", "quant=fp32", f"results_dir={tmp_path}",
                    "target=remote", f"target.options.url=http://127.0.0.1:{http}",
                    "target.options.model_name=resnet8"], cwd=ROOT, check=False, timeout=400,
                   capture_output=True)
    [record] = _records(tmp_path)
    assert record["status"] == "failed"
    assert "shape [-1, 3, 32, 32]" in record["reason"] and "[1, 3, 96, 96]" in record["reason"]
    assert "model.inputs.input.shape" in record["reason"]


def test_a_server_killed_mid_run_fails_that_run_clearly_and_the_sweep_goes_on(
        tmp_path: Path) -> None:
    proc, http, _ = _start(tmp_path)
    sweep = subprocess.Popen(
        [*BENCH, "-m", "model=resnet8", "quant=fp32", f"results_dir={tmp_path / 'r'}",
         "target=remote", "scenario=single_stream,multi_stream",
         f"target.options.url=http://127.0.0.1:{http}",
         "target.options.timeout_s=5", "scenario.min_duration_s=30",
         "scenario.max_duration_s=30", "scenario.min_count=50"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_requests(http, 120)  # then the 30 s timed window has begun or soon will
        os.killpg(proc.pid, signal.SIGKILL)
        sweep.wait(300)
    finally:
        _stop(proc)
        if sweep.poll() is None:
            sweep.kill()
    records = {r["config"]["scenario"]["name"]: r for r in _records(tmp_path / "r")}
    killed, next_run = records["single_stream"], records["multi_stream"]
    assert killed["status"] == "failed" and "127.0.0.1" in killed["reason"], killed["reason"]
    assert "Unexpected" not in killed["reason"]
    assert next_run["status"] == "failed"  # the sweep went on, to a clear refusal
    assert "No inference server answers" in next_run["reason"], next_run["reason"]


def test_jpeg_and_png_payloads_are_decoded_on_the_server_and_recorded(
        server: tuple[int, int], tmp_path: Path) -> None:
    http, grpc = server
    records = _bench(tmp_path, "target=remote", "target.options.payload=jpeg,png",
                     f"target.options.url=http://127.0.0.1:{http},grpc://127.0.0.1:{grpc}")
    assert sorted((r["backend"]["protocol"], r["backend"]["payload"]["encoding"])
                  for r in records) == [("grpc", "jpeg"), ("grpc", "png"), ("http", "jpeg"),
                                        ("http", "png")]
    for record in records:
        assert record["status"] == "ok", record["reason"]
        backend, payload = record["backend"], record["backend"]["payload"]
        assert backend["served_model"]["name"] == "resnet8_image"
        assert payload["tensor_bytes"] == 3 * 32 * 32 * 4
        assert 0 < payload["image_bytes"] < payload["request_bytes"] < payload["tensor_bytes"]
        assert payload["response_bytes"] > 10 * 4 and payload["encode_ms_mean"] > 0
        assert payload["codec"] in ("pillow", "opencv") and "decode" in payload
        assert 0 < payload["clipped_share"] < 1  # noise inputs: the 8-bit image clips them
        split = backend["server_split"]  # the decode runs inside the server's compute
        assert split["available"] and split["queries"] == payload["requests"]
        assert sum(split[k] for k in PARTS) == pytest.approx(split["client_mean_ns"])


def test_an_image_payload_without_an_image_model_names_the_fix(server: tuple[int, int],
                                                              tmp_path: Path) -> None:
    _, grpc = server
    [record] = _bench(tmp_path, "target=remote", "target.options.payload=jpeg",
                      f"target.options.url=grpc://127.0.0.1:{grpc}",
                      "target.options.image_model_suffix=_jpeg")
    assert record["status"] == "failed"
    assert "resnet8_jpeg" in record["reason"] and "--image-input" in record["reason"]


def test_harness_deploy_sets_the_measurement_beside_the_model_and_its_error(
        server: tuple[int, int], tmp_path: Path) -> None:
    _, grpc = server
    [local] = _bench(tmp_path / "inproc", "target=cpu")
    [remote] = _bench(tmp_path / "remote", "target=remote",
                      f"target.options.url=grpc://127.0.0.1:{grpc}")
    done = _deploy("--device", str(tmp_path / "inproc"), "--datacenter", str(tmp_path),
                   "--out", str(tmp_path / "dep"), "--html")
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads((tmp_path / "dep" / "deployment_measured.json").read_text())
    [c] = out["comparisons"]
    assert (c["deployment"], c["matched"], c["link"]["kind"]) \
        == ("same machine (loopback)", False, "loopback")
    assert (c["remote_run"], c["local_run"]) == (remote["run_id"], local["run_id"])
    # by hand: loopback = RTT 0 and no rate limit, single-stream = no queue, so the model is
    # the in-process p50 plus the template preset's (cloud_eu_fixed) serialisation, 0.05 ms
    local_p50 = local["scenario"]["summary"]["p50"]["value_ns"] / 1e6
    measured = remote["scenario"]["summary"]["p50"]
    assert c["modelled_p50_ms"] == pytest.approx(local_p50 + 0.05)
    assert c["measured_p50_ms"] == pytest.approx(measured["value_ns"] / 1e6)
    assert c["measured_p50_ci_ms"] == pytest.approx([measured["ci_low_ns"] / 1e6,
                                                     measured["ci_high_ns"] / 1e6])
    error = local_p50 + 0.05 - measured["value_ns"] / 1e6
    assert c["error_p50_ms"] == pytest.approx(error)
    assert c["error_p50_pct"] == pytest.approx(100 * error / (measured["value_ns"] / 1e6))
    assert error < 0  # the formula has no term for the serving stack
    # a preset no run matches: the model alone, with the measured bytes (edge_server: 2 ms RTT,
    # 500 Mbit/s each way, 400 B framing, 0.05 ms, M/D/1 at 0.5 on the mean service time)
    edge = next(m for m in out["modelled_only"] if m["deployment"] == "edge_server")
    pay = remote["backend"]["payload"]
    assert (edge["request_bytes"], edge["response_bytes"]) \
        == (pay["request_bytes"], pay["response_bytes"])
    mean_ms = local["scenario"]["summary"]["mean_ns"] / 1e6
    transfer = (pay["request_bytes"] + 400 + pay["response_bytes"] + 400) * 8 / 500e6 * 1e3
    assert edge["modelled_p50_ms"] == pytest.approx(local_p50 + 2 + transfer + 0.05
                                                     + 0.5 * mean_ms / (2 * 0.5))
    basis = out["datacenter_latency_basis"]["resnet8/fp32"]
    assert {b["basis"] for b in basis.values()} == {"modelled"}  # loopback matches no preset
    assert "latency with measurements where they exist" in done.stdout
    page = (tmp_path / "dep" / "deployment.html").read_text()
    assert "measured vs modelled" in page and remote["run_id"] in page
    assert "same machine (loopback)" in (tmp_path / "dep" / "deployment.md").read_text()
