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


class WorkerPool:
    """N worker threads, each with its own session, started and warmed before the timed region.

    Entering starts the workers; each first runs `warm` (it opens the fork's connection), and
    entering returns when all have, so neither thread start-up nor the warm-up falls inside the
    caller's timed (energy) window. `issue()` is the timed part; exiting stops and joins them."""

    def __init__(self, sessions: Sequence[TimedSession], queries: Sequence[Inputs],
                 warm: Inputs | None = None) -> None:
        self.sessions, self.queries, self.warm = sessions, queries, warm
        self.todo: queue.SimpleQueue = queue.SimpleQueue()
        self.errors: list[BaseException] = []
        self.latencies = np.zeros(0, dtype=np.int64)
        self.last_done = 0
        self.ready = threading.Barrier(len(sessions) + 1)
        self.workers = [threading.Thread(target=self._work, args=(s,), daemon=True)
                        for s in sessions]

    def __enter__(self) -> WorkerPool:
        for w in self.workers:
            w.start()
        self.ready.wait()
        if self.errors:
            self._stop()
            raise self.errors[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        for _ in self.workers:
            self.todo.put(STOP)
        for w in self.workers:
            if w.is_alive():
                w.join()

    def _work(self, session: TimedSession) -> None:
        clock, n = time.perf_counter_ns, len(self.queries)
        try:
            if self.warm is not None:
                session.run(self.warm)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the issuing thread
            self.errors.append(exc)
        finally:
            self.ready.wait()
        if self.errors:
            return
        while (item := self.todo.get()) is not STOP:
            index, scheduled = item
            try:
                session.run(self.queries[index % n])
                session.synchronize()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the issuing thread
                self.errors.append(exc)
                return
            done = clock()
            self.latencies[index] = done - scheduled
            self.last_done = max(self.last_done, done)

    def issue(self, offsets_ns: list[int], max_duration_s: float) -> tuple[np.ndarray, int]:
        """Issue each query at its arrival to the first free worker; (latencies_ns, duration_ns).

        Arrivals stop at max_duration_s; the queries already issued are waited for and
        counted (the workers are stopped here, so the pool serves one issue() only)."""
        self.latencies = np.zeros(len(offsets_ns), dtype=np.int64)
        start = time.perf_counter_ns()
        max_end, issued = start + int(max_duration_s * 1e9), 0
        try:
            for offset in offsets_ns:
                scheduled = start + offset
                if scheduled >= max_end or self.errors:
                    break
                wait_until(scheduled)
                self.todo.put((issued, scheduled))
                issued += 1
        finally:
            self._stop()
        if self.errors:
            raise self.errors[0]
        return self.latencies[:issued].copy(), max(self.last_done, start) - start
