"""An emulated link for real: a namespace, veth, tbf and the delay proxy (root only)."""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time

import pytest

from harness.network.config import NetworkConfig
from harness.network.link import LinkError, emulated_link, find_link, probe

PROBE = probe()
pytestmark = pytest.mark.skipif(not PROBE.available, reason=PROBE.reason)
ECHO = ("import socket\n"
        "s = socket.create_server(('0.0.0.0', {port}))\n"
        "while True:\n"
        "    c, _ = s.accept()\n"
        "    while d := c.recv(1 << 20):\n"
        "        c.sendall(d)\n"
        "    c.close()\n")
PORT = 9177


def _profile(**kw: float) -> NetworkConfig:
    return NetworkConfig(name="test", kind="emulated", source="test", **kw)


def _connect(host: str, deadline_s: float = 10.0) -> socket.socket:
    end = time.monotonic() + deadline_s
    while True:
        try:
            conn = socket.create_connection((host, PORT), timeout=10)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.sendall(b"?")
            if conn.recv(1) == b"?":
                return conn
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def _namespaces() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def test_the_link_delays_by_its_rtt_shapes_its_rate_and_leaves_nothing_behind() -> None:
    with emulated_link(_profile(rtt_ms=15.0, uplink_mbps=20.0, downlink_mbps=200.0),
                       [PORT]) as link:
        assert link.mechanism in ("netem", "proxy+tbf")
        assert find_link(link.client_address, PORT)["mechanism"] == link.mechanism
        echo = subprocess.Popen(["ip", "netns", "exec", link.netns, sys.executable, "-c",
                                 ECHO.format(port=PORT)])
        try:
            with _connect(link.client_address) as conn:
                trips = []
                for _ in range(20):
                    start = time.perf_counter()
                    conn.sendall(b"x")
                    conn.recv(1)
                    trips.append(time.perf_counter() - start)
                size = 500_000  # 0.2 s at 20 Mbit/s up; the echo back at 200 Mbit/s overlaps
                start = time.perf_counter()
                conn.sendall(b"y" * size)
                got = 0
                while got < size:
                    got += len(conn.recv(1 << 20))
                upload_s = time.perf_counter() - start
        finally:
            echo.kill()
        netns = link.netns
    assert min(trips) >= 0.015 and statistics.median(trips) < 0.015 + 0.008
    assert 0.8 * size * 8 / 20e6 < upload_s < 3 * (size * 8 / 20e6) + 0.1
    assert netns not in _namespaces()
    assert find_link(link.client_address, PORT) is None


def test_an_error_inside_the_block_still_tears_the_link_down() -> None:
    with pytest.raises(RuntimeError), emulated_link(_profile(rtt_ms=2.0), [PORT]) as link:
        netns = link.netns
        assert netns in _namespaces()
        raise RuntimeError("the server failed")
    assert netns not in _namespaces()
    assert find_link(link.client_address, PORT) is None


def test_a_namespace_that_exists_is_a_clear_error() -> None:
    with emulated_link(_profile(rtt_ms=2.0), [PORT]) as link, \
            pytest.raises(LinkError, match="namespace"), \
            emulated_link(_profile(rtt_ms=2.0), [PORT], name=link.netns):
        pass
    assert link.netns not in _namespaces()
