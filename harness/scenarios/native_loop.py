"""The native timing loop: warm-up, closed-loop issue, raw sample buffer, GC-free window."""

from __future__ import annotations

import gc
import time
from array import array
from collections.abc import Callable, Iterator, MutableSequence, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

import numpy as np

from harness.scenarios.session import TimedSession

Inputs = dict[str, np.ndarray]
Query = Sequence[Inputs]
T = TypeVar("T")
INITIAL_BUFFER = 1 << 16
ORDER_LENGTH = 1 << 16  # queries drawn ahead; the loop cycles through them after that
SPIN_NS = 200_000  # sleep until this close to a deadline, then spin on the clock


def mlperf_order(queries: Sequence[T], count: int, seed: int) -> list[T]:
    """Return min(count, 65536) queries drawn uniformly with replacement (own seeded stream).

    LoadGen's performance mode picks each query's sample uniformly from the loaded set; a
    fixed cyclic order would let the CPU stream through the inputs and read faster than an
    application would (figures: docs/methodology.md, "Timing loop and overhead")."""
    picks = np.random.default_rng((seed, 1)).integers(0, len(queries), min(count, ORDER_LENGTH))
    return [queries[i] for i in picks]


def wait_until(deadline_ns: int) -> None:
    """Return at perf_counter_ns() >= deadline_ns: sleep most of the way, spin the rest."""
    clock = time.perf_counter_ns
    remaining = deadline_ns - clock()
    if remaining > SPIN_NS:
        time.sleep((remaining - SPIN_NS) / 1e9)
    while clock() < deadline_ns:
        pass


def new_buffer(max_count: int) -> array:
    """Return a zeroed int64 array of min(max_count, 65536) slots for latencies (ns)."""
    return array("q", bytes(8 * max(1, min(max_count, INITIAL_BUFFER))))


def grow(buf: array) -> None:
    """Double the buffer in place (rare; amortised over the run)."""
    buf.extend(array("q", bytes(8 * len(buf))))


@contextmanager
def timed_region(window: AbstractContextManager | None) -> Iterator[None]:
    """Enter the caller's window (energy meter) and disable GC for the steady state."""
    gc_was_enabled = gc.isenabled()
    gc.collect()
    with window if window is not None else nullcontext():
        gc.disable()
        try:
            yield
        finally:
            if gc_was_enabled:
                gc.enable()


def warmup(session: TimedSession, queries: Sequence[Query], count: int, duration_s: float,
           cap_s: float) -> tuple[int, int]:
    """Run queries until both count and duration_s are reached (cap_s bounds it); (n, ns)."""
    clock = time.perf_counter_ns
    start = clock()
    min_end, cap_end = start + int(duration_s * 1e9), start + int(cap_s * 1e9)
    i, now = 0, start
    while (i < count or now < min_end) and now < cap_end:
        for inputs in queries[i % len(queries)]:
            session.run(inputs)
        session.synchronize()
        i += 1
        now = clock()
    return i, now - start


def closed_loop(session: TimedSession, queries: Sequence[Query], min_count: int,
                min_duration_s: float, max_count: int, max_duration_s: float,
                runtime_ns: Callable[[], Any] | None = None,
                runtime_out: MutableSequence | None = None) -> tuple[np.ndarray, int]:
    """Issue each query when the previous completes; return (latencies_ns, duration_ns).

    With runtime_ns (the session's own timer of its last run: ns, or a DeviceTiming) each
    query's runtime-reported time is appended to runtime_out, read after the clock stopped."""
    run, sync, clock = session.run, session.synchronize, time.perf_counter_ns
    buf, n_queries = new_buffer(max_count), len(queries)
    cap, i = len(buf), 0
    start = clock()
    min_end, max_end = start + int(min_duration_s * 1e9), start + int(max_duration_s * 1e9)
    while True:
        query = queries[i % n_queries]
        t0 = clock()
        for inputs in query:
            run(inputs)
        sync()
        t1 = clock()
        if i == cap:
            grow(buf)
            cap = len(buf)
        buf[i] = t1 - t0
        if runtime_ns is not None:
            runtime_out.append(runtime_ns())  # type: ignore[union-attr]
        i += 1
        if i >= max_count or t1 >= max_end or (i >= min_count and t1 >= min_end):
            break
    return np.frombuffer(buf, dtype=np.int64)[:i].copy(), t1 - start


def timer_resolution_ns(trials: int = 1000) -> int:
    """Return the smallest non-zero step of time.perf_counter_ns observed (ns)."""
    clock, best = time.perf_counter_ns, 1 << 62
    for _ in range(trials):
        t0 = clock()
        t1 = clock()
        while t1 == t0:
            t1 = clock()
        best = min(best, t1 - t0)
    return best
