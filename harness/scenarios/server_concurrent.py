"""Server scenario with N queries in flight: Poisson arrivals handed to N worker threads.

Each worker owns a session from `fork()` (a remote client each, sharing the served model, made
and warmed in the worker's own thread, as thread-bound clients such as REST's need), so
up to N queries are outstanding at once, as N independent clients would keep them; a query
whose arrival finds every worker busy waits in the client's queue, and that wait counts in
its latency (arrival to completion), as in the one-at-a-time loop (harness/scenarios/server.py).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence

import numpy as np

from harness.core.errors import UnsupportedError
from harness.scenarios.native_loop import Inputs, wait_until
from harness.scenarios.session import TimedSession

STOP = None


def fork_sessions(session: TimedSession, count: int) -> list[TimedSession]:
    """Return `count` forks of the session, one per worker thread (the caller closes them)."""
    fork = getattr(session, "fork", None)
    if fork is None:
        raise UnsupportedError(
            f"scenario.max_in_flight={count}: this backend's session runs one query at a "
            "time (it has no fork()).",
            "Use scenario.max_in_flight=1, or a backend whose session supports concurrent "
            "queries (target=remote).")
    return [fork() for _ in range(count)]


def server_loop_concurrent(sessions: Sequence[TimedSession], queries: Sequence[Inputs],
                           offsets_ns: list[int], max_duration_s: float,
                           warm: Inputs | None = None) -> tuple[np.ndarray, int]:
    """Issue each query at its arrival to the first free worker; (latencies_ns, duration_ns).

    Each worker first runs `warm` (untimed: it opens the fork's connection) and the clock
    starts when all have. Arrivals stop at max_duration_s; the queries already issued are
    waited for and counted."""
    clock, n = time.perf_counter_ns, len(queries)
    latencies = np.zeros(len(offsets_ns), dtype=np.int64)
    todo: queue.SimpleQueue = queue.SimpleQueue()
    errors: list[BaseException] = []
    last_done = [0]
    ready = threading.Barrier(len(sessions) + 1)

    def work(session: TimedSession) -> None:
        try:
            if warm is not None:
                session.run(warm)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the issuing thread
            errors.append(exc)
        finally:
            ready.wait()
        if errors:
            return
        while (item := todo.get()) is not STOP:
            index, scheduled = item
            try:
                session.run(queries[index % n])
                session.synchronize()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the issuing thread
                errors.append(exc)
                return
            done = clock()
            latencies[index] = done - scheduled
            last_done[0] = max(last_done[0], done)

    workers = [threading.Thread(target=work, args=(s,), daemon=True) for s in sessions]
    for w in workers:
        w.start()
    ready.wait()
    start = clock()
    max_end, issued = start + int(max_duration_s * 1e9), 0
    try:
        for offset in offsets_ns:
            scheduled = start + offset
            if scheduled >= max_end or errors:
                break
            wait_until(scheduled)
            todo.put((issued, scheduled))
            issued += 1
    finally:
        for _ in workers:
            todo.put(STOP)
        for w in workers:
            w.join()
    if errors:
        raise errors[0]
    return latencies[:issued].copy(), max(last_done[0], start) - start
