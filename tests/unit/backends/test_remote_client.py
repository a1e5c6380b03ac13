"""The remote target without a server: options, the time split, and errors that say what to do."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest

pytest.importorskip("tritonclient.http", reason="tritonclient is not installed (extra 'remote')")

from harness.backends.remote_client import OipClient, ServerError  # noqa: E402
from harness.backends.remote_config import RemoteOptions  # noqa: E402
from harness.backends.remote_split import server_split  # noqa: E402
from harness.core.errors import ConfigError  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://h:1", "http://host", "grpc://:8001"])
def test_a_url_that_is_not_an_endpoint_is_refused_with_an_example(url: str) -> None:
    with pytest.raises(ConfigError, match="scheme://host:port"):
        RemoteOptions(url=url, model_name="m")


def test_protocol_tls_and_network_kind_follow_the_url() -> None:
    grpcs = RemoteOptions(url="grpcs://10.0.0.5:8001", model_name="m")
    assert (grpcs.protocol, grpcs.tls, grpcs.network_kind()) == ("grpc", True, "real")
    local = RemoteOptions(url="http://127.0.0.1:8000", model_name="m")
    assert (local.protocol, local.tls, local.network_kind()) == ("http", False, "loopback")
    with pytest.raises(ConfigError, match="network_profile"):
        RemoteOptions(url="http://h:1", model_name="m", network="emulated")
    with pytest.raises(ConfigError, match="model_name"):
        RemoteOptions(url="http://h:1")


def _snapshot(queries: int, client_ns: int, success: tuple[int, int],
              parts: dict[str, int]) -> dict:
    stats = {"success": {"count": success[0], "ns": success[1]},
             **{k: {"count": success[0], "ns": v} for k, v in parts.items()}}
    return {"client_queries": queries, "client_ns": client_ns,
            "server": {"inference_stats": stats}}


def test_the_split_adds_up_to_the_client_mean() -> None:
    before = _snapshot(10, 50_000, (10, 30_000), {"queue": 1_000, "compute_input": 2_000,
                                                  "compute_infer": 20_000,
                                                  "compute_output": 3_000})
    after = _snapshot(110, 1_050_000, (110, 730_000), {"queue": 11_000, "compute_input": 12_000,
                                                       "compute_infer": 520_000,
                                                       "compute_output": 53_000})
    split = server_split(before, after)
    assert split["available"] and split["queries"] == 100
    assert split["client_mean_ns"] == 10_000 and split["server_request_ns"] == 7_000
    assert split["network_serialisation_ns"] == 3_000
    assert (split["server_queue_ns"], split["server_compute_infer_ns"]) == (100, 5_000)
    parts = sum(split[k] for k in ("network_serialisation_ns", "server_queue_ns",
                                   "server_compute_input_ns", "server_compute_infer_ns",
                                   "server_compute_output_ns", "server_other_ns"))
    assert parts == pytest.approx(split["client_mean_ns"])


def test_the_split_reports_the_batches_the_server_formed() -> None:
    before, after = _snapshot(0, 0, (0, 0), {}), _snapshot(40, 400, (40, 200), {})
    assert "server_mean_batch" not in server_split(before, after)  # not reported: not shown
    before["server"].update(inference_count=8, execution_count=8)
    after["server"].update(inference_count=48, execution_count=18)
    split = server_split(before, after)
    assert (split["server_executions"], split["server_mean_batch"]) == (10, 4.0)


def test_a_server_shared_with_another_client_gives_no_split() -> None:
    before = _snapshot(0, 0, (0, 0), {})
    after = _snapshot(10, 100, (25, 90), {})
    split = server_split(before, after)
    assert not split["available"] and "another client" in split["reason"]


@pytest.mark.parametrize("scheme", ["http", "grpc"])
def test_a_refused_connection_names_the_url_and_the_fix(scheme: str) -> None:
    port = _free_port()
    client = OipClient(RemoteOptions(url=f"{scheme}://127.0.0.1:{port}", model_name="m",
                                     timeout_s=5))
    with pytest.raises(ServerError) as info:
        client.server_metadata()
    assert f"127.0.0.1:{port}" in info.value.message and "harness serve" in info.value.hint


def _silent_server() -> tuple[socket.socket, int]:
    """A TCP server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(sock.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return sock, sock.getsockname()[1]


def test_a_server_that_stops_answering_fails_within_the_timeout() -> None:
    sock, port = _silent_server()
    try:
        client = OipClient(RemoteOptions(url=f"http://127.0.0.1:{port}", model_name="m",
                                         timeout_s=1.0))
        start = time.monotonic()
        with pytest.raises(ServerError) as info:
            client.infer({"x": np.zeros((1, 4), np.float32)}, ["y"])
        assert time.monotonic() - start < 10
        assert "did not answer" in info.value.message and "timeout_s" in info.value.hint
    finally:
        sock.close()


def test_tls_to_a_plain_endpoint_says_to_give_the_ca_or_drop_tls() -> None:
    import http.server

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = OipClient(RemoteOptions(url=f"https://127.0.0.1:{server.server_port}",
                                         model_name="m", timeout_s=5))
        with pytest.raises(ServerError) as info:
            client.server_metadata()
        assert "TLS" in info.value.message and "ca_file" in info.value.hint
    finally:
        server.shutdown()
