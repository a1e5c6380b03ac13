"""The delaying TCP proxy, measured with a real TCP echo round trip on this host."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pytest

from harness.network.proxy import Route, running_proxy

SLACK_S = 0.008  # generous: a shared 2-core CI box wakes a sleeper late by milliseconds


@pytest.fixture
def echo() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            try:  # a client that closes before reading its echo resets the connection
                with conn:
                    while data := conn.recv(1 << 20):
                        conn.sendall(data)
            except OSError:
                continue

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def _round_trips_s(port: int, count: int, size: int = 1) -> list[float]:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        out = []
        for _ in range(count):
            start = time.perf_counter()
            conn.sendall(b"x" * size)
            got = 0
            while got < size:
                got += len(conn.recv(1 << 20))
            out.append(time.perf_counter() - start)
    return out


@pytest.mark.parametrize("rtt_ms", [0.0, 15.0])
def test_a_round_trip_takes_the_configured_rtt_and_not_much_more(echo: int,
                                                                  rtt_ms: float) -> None:
    with running_proxy([Route("127.0.0.1", 0, "127.0.0.1", echo)], rtt_ms / 2e3) as proxy:
        trips = _round_trips_s(proxy.ports[0], 20, size=2000)
    assert min(trips) >= rtt_ms / 1e3  # never early
    assert statistics.median(trips) < rtt_ms / 1e3 + SLACK_S


def test_order_is_kept_and_every_byte_arrives(echo: int) -> None:
    payload = bytes(range(256)) * 4000  # 1 MB, many chunks
    with running_proxy([Route("127.0.0.1", 0, "127.0.0.1", echo)], 0.002) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.ports[0])) as conn:
        conn.sendall(payload)
        got = bytearray()
        while len(got) < len(payload):
            got += conn.recv(1 << 20)
    assert bytes(got) == payload


def test_a_refused_upstream_closes_the_client_and_stopping_drops_open_connections(
        echo: int) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with running_proxy([Route("127.0.0.1", 0, "127.0.0.1", dead)], 0.001) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.ports[0]), timeout=5) as conn:
        assert conn.recv(1) == b""  # closed, not hung
    with socket.create_connection(("127.0.0.1", echo)) as probe:
        probe.sendall(b"x")
    with running_proxy([Route("127.0.0.1", 0, "127.0.0.1", echo)], 0.001) as proxy:
        conn = socket.create_connection(("127.0.0.1", proxy.ports[0]), timeout=5)
        conn.sendall(b"y")
        assert conn.recv(1) == b"y"
    with conn:
        assert conn.recv(1) == b""  # the proxy stopped and closed it
    assert Route.parse("10.0.0.1:80=10.0.0.2:8080") == Route("10.0.0.1", 80, "10.0.0.2", 8080)
