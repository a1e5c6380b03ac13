"""Energy on both ends, through a real Triton server (harness serve) and target=remote: the
server's own energy and the served artifact's sha256 come back through its side channel; a
server without it is recorded as not reporting them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_remote_serving import SERVE, _bench, _start, _stop

pytest.importorskip("tritonclient.http", reason="tritonclient is not installed (extra 'remote')")
pytestmark = pytest.mark.skipif(not SERVE.exists(), reason=".venv-serve is missing (make "
                                "serve-env installs PyTriton; it needs numpy<2)")
METER = ("meter=estimated", "meter.options.utilisation=process_tree", "meter.idle_baseline_s=0.2")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    proc, http, grpc = _start(tmp_path_factory.mktemp("serve-energy"), *METER)
    yield http, grpc
    _stop(proc)


def test_the_record_has_the_servers_energy_with_provenance_and_the_sha256_match(
        served: tuple[int, int], tmp_path: Path) -> None:
    http, grpc = served
    records = _bench(tmp_path, "target=remote", *METER,
                     f"target.options.url=http://127.0.0.1:{http},grpc://127.0.0.1:{grpc}")
    assert sorted(r["backend"]["protocol"] for r in records) == ["grpc", "http"]
    for record in records:
        assert record["status"] == "ok", record["reason"]
        backend, energy = record["backend"], record["energy"]
        assert backend["artifact_match"] is True, backend["artifact_match_reason"]
        assert backend["served_artifact"]["sha256"] == record["artifact"]["sha256"]
        assert backend["served_artifact"]["backend"] == "onnxruntime"
        server = energy["server"]
        assert server["reported"] is True, server
        assert server["provenance"] == "estimated" and server["meter"] == "estimated"
        assert "process_tree" in server["method"] and server["uncertainty_rel"] == 0.5
        assert server["requests"] == server["client_queries"] > 0  # the same window
        assert server["gross_j_per_query"] == pytest.approx(
            server["gross_energy_j"] / server["requests"])
        assert server["window_s"] >= server["client_window_s"] * 0.9
        assert "do not overlap" in server["same_machine"]
        assert energy["client"]["includes_network_wait"] is True
        assert energy["client"]["j_per_query"] == energy["gross_j_per_inference"]
        assert "per byte" in energy["network"]["scope"]


def test_a_server_without_the_side_channel_is_recorded_as_not_reporting(tmp_path: Path) -> None:
    proc, http, _ = _start(tmp_path, "--no-side-channel", *METER)
    try:
        [record] = _bench(tmp_path / "r", "target=remote", *METER,
                          f"target.options.url=http://127.0.0.1:{http}")
    finally:
        _stop(proc)
    assert record["status"] == "ok", record["reason"]
    server = record["energy"]["server"]
    assert server["reported"] is False and "not reported by this server" in server["reason"]
    assert "resnet8.harness" in server["reason"]
    backend = record["backend"]
    assert backend["artifact_match"] is None
    assert "not reported by this server" in backend["artifact_match_reason"]
    assert record["energy"]["gross_j_per_inference"] > 0  # the client's own energy stands
