"""A delaying TCP proxy: forwards each connection, every chunk released a fixed delay later.

Where the kernel has no `netem` qdisc, this adds a link's propagation delay on the path: each
chunk read from one side is written to the other `delay_s` after it arrived, in order, both
directions (one-way delay = RTT / 2 each way). The rate is left to `tbf` on the link's veth
devices. Each chunk is released by asyncio's timer to within 1.5 ms of its due time, then by a short
blocking sleep to the due time itself, so each direction adds its delay plus the proxy's own
hop (a fraction of a millisecond here), never less; a late chunk makes later ones late, never
early.

Limits, as a model of a long path: the proxy splits TCP (it acknowledges the client at once),
so slow start and the congestion window over the long RTT are not reproduced; a payload larger
than the window takes more round trips on a real path than here.

Run on its own: python -m harness.network.proxy --delay-ms 7.5 LISTEN_HOST:PORT=HOST:PORT ...
(prints 'ready POLICY' once it listens; SIGTERM stops it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK_BYTES = 256 * 1024
TIMER_SLACK_S = 0.0015


@dataclass(frozen=True)
class Route:
    """Listen on listen_host:listen_port, forward to host:port."""

    listen_host: str
    listen_port: int
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Route:
        """Return the route written as LISTEN_HOST:PORT=HOST:PORT."""
        left, right = text.split("=")
        lh, lp = left.rsplit(":", 1)
        th, tp = right.rsplit(":", 1)
        return cls(lh, int(lp), th, int(tp))

    def __str__(self) -> str:
        return f"{self.listen_host}:{self.listen_port}={self.host}:{self.port}"


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                delay_s: float) -> None:
    """Copy reader to writer, each chunk written delay_s after it was read, in order."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def release() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > TIMER_SLACK_S:  # asyncio's timer wakes up to ~1 ms late (epoll: ms)
                await asyncio.sleep(wait - TIMER_SLACK_S)
            rest = due - loop.time()
            if rest > 0:  # the last stretch precisely (nanosleep), holding the loop < 2 ms
                time.sleep(rest)
            if not data:  # end of stream, delayed like the data before it
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    releaser = asyncio.create_task(release())
    try:
        while True:
            data = await reader.read(CHUNK_BYTES)
            queue.put_nowait((loop.time() + delay_s, data))
            if not data:
                break
        await releaser
    except (ConnectionError, OSError):
        writer.close()  # the other side's reader then ends too, and its pipe with it
    finally:
        if not releaser.done():
            releaser.cancel()


class DelayProxy:
    """Forwards TCP connections along routes, delaying every chunk by delay_s each way."""

    def __init__(self, routes: list[Route], delay_s: float) -> None:
        self.routes, self.delay_s = routes, delay_s
        self._servers: list[asyncio.Server] = []
        self._connections: set[asyncio.Task] = set()

    async def _connection(self, route: Route, c_reader: asyncio.StreamReader,
                          c_writer: asyncio.StreamWriter) -> None:
        try:
            s_reader, s_writer = await asyncio.open_connection(route.host, route.port)
        except OSError:
            c_writer.close()  # the client sees the refusal as a reset
            return
        _nodelay(c_writer)
        _nodelay(s_writer)
        try:
            await asyncio.gather(_pipe(c_reader, s_writer, self.delay_s),
                                 _pipe(s_reader, c_writer, self.delay_s))
        finally:
            for w in (c_writer, s_writer):
                w.close()

    async def start(self) -> None:
        """Listen on every route (returns once all listen)."""
        for route in self.routes:
            def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter,
                        route: Route = route) -> asyncio.Task:
                task = asyncio.ensure_future(self._connection(route, r, w))
                self._connections.add(task)
                task.add_done_callback(self._connections.discard)
                return task

            self._servers.append(await asyncio.start_server(
                handler, route.listen_host, route.listen_port, reuse_address=True))

    async def stop(self) -> None:
        """Stop listening, drop the open connections, close the listeners."""
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=2.0)
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    @property
    def ports(self) -> list[int]:
        """Return the ports actually listened on (a route's port 0 picks a free one)."""
        return [s.sockets[0].getsockname()[1] for s in self._servers]


@contextlib.contextmanager
def running_proxy(routes: list[Route], delay_s: float) -> Iterator[DelayProxy]:
    """Run a DelayProxy on its own event loop in a thread for the duration of the block."""
    loop = asyncio.new_event_loop()
    proxy = DelayProxy(routes, delay_s)
    thread = threading.Thread(target=loop.run_forever, name="delay-proxy", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(proxy.start(), loop).result(10)
        yield proxy
    finally:
        asyncio.run_coroutine_threadsafe(proxy.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _prefer_cpu() -> str:
    """Ask for round-robin real-time priority (root), so that a busy host delays the proxy's
    releases less; return the policy obtained. The proxy only sleeps and copies."""
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))
        return "SCHED_RR 1"
    except (AttributeError, OSError):
        return "SCHED_OTHER"


async def _main(routes: list[Route], delay_s: float) -> None:
    proxy = DelayProxy(routes, delay_s)
    await proxy.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"ready {_prefer_cpu()}", flush=True)
    await stop.wait()
    await proxy.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the proxy until SIGTERM or SIGINT; return 0."""
    parser = argparse.ArgumentParser(prog="python -m harness.network.proxy",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, required=True, help="one-way delay, ms")
    parser.add_argument("routes", nargs="+", help="LISTEN_HOST:PORT=HOST:PORT")
    args = parser.parse_args(argv)
    asyncio.run(_main([Route.parse(r) for r in args.routes], args.delay_ms / 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
