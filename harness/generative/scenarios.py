"""The generative load patterns, with MLPerf LLM semantics; each returns raw request traces.

single-stream: one request in flight, back to back. offline: every request at once (batched
generate where the engine batches). server: Poisson arrivals at `rate_rps`; a request's send
time is its scheduled arrival, so waiting for a busy engine counts in its TTFT (as in
LoadGen). concurrency: N closed-loop users, each sending its next request when the last ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from harness.generative.config import GenScenarioConfig
from harness.generative.engine import GenerativeSession
from harness.generative.trace import RequestTrace, timed_batch, timed_request

Prompts = Sequence[Sequence[int]]


def single_stream(session: GenerativeSession, prompts: Prompts, out: int) -> list[RequestTrace]:
    """Return the traces of the prompts sent one at a time."""
    return [timed_request(session, p, out) for p in prompts]


def offline(session: GenerativeSession, prompts: Prompts, out: int,
            batch: int | None) -> list[RequestTrace]:
    """Return the traces of all prompts issued at once, `batch` per generate (None: all)."""
    size = batch or len(prompts)
    traces: list[RequestTrace] = []
    send = time.perf_counter_ns()
    for start in range(0, len(prompts), size):
        chunk = timed_batch(session, prompts[start:start + size], out)
        for t in chunk:
            t.send_ns = send  # all requests were issued at the start (queueing counts)
        traces.extend(chunk)
    return traces


def _run_threads(count: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # re-raised in the caller's thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def arrival_offsets_ns(count: int, rate_rps: float, seed: int) -> list[int]:
    """Return Poisson arrival offsets (ns from the start) of `count` requests at rate_rps."""
    gaps = np.random.default_rng(seed).exponential(1.0 / rate_rps, size=count)
    return [int(x) for x in np.cumsum(gaps) * 1e9]


def server(session: GenerativeSession, prompts: Prompts, out: int, cfg: GenScenarioConfig,
           rate_rps: float, seed: int = 0) -> list[RequestTrace]:
    """Return the traces of Poisson arrivals at rate_rps served by cfg.server_workers workers."""
    offsets = arrival_offsets_ns(len(prompts), rate_rps, seed)
    start = time.perf_counter_ns()
    traces: list[RequestTrace | None] = [None] * len(prompts)
    lock, nxt = threading.Lock(), [0]

    def worker(_: int) -> None:
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(prompts):
                return
            arrival = start + offsets[i]
            wait_s = (arrival - time.perf_counter_ns()) / 1e9
            if wait_s > 0:
                time.sleep(wait_s)
            traces[i] = timed_request(session, prompts[i], out, send_ns=arrival)

    _run_threads(cfg.server_workers, worker)
    return [t for t in traces if t is not None]


def concurrency(session: GenerativeSession, prompts: Prompts, out: int,
                users: int) -> list[RequestTrace]:
    """Return the traces of `users` closed-loop users sharing the prompts round-robin."""
    traces: list[RequestTrace] = []
    lock = threading.Lock()

    def user(u: int) -> None:
        for p in prompts[u::users]:
            t = timed_request(session, p, out, user=u)
            with lock:
                traces.append(t)

    _run_threads(users, user)
    return traces
