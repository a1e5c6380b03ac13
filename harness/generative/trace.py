"""Per request the raw timestamps: send time and each token's arrival (perf_counter_ns)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.core.errors import MeasurementError
from harness.generative.engine import GenerativeSession


@dataclass
class RequestTrace:
    """One request: when it was sent (ns), when each output token arrived (ns), counts."""

    send_ns: int
    input_tokens: int
    token_ns: list[int] = field(default_factory=list)
    user: int = 0

    def on_token(self, count: int = 1) -> None:
        """Record `count` tokens arriving now."""
        now = time.perf_counter_ns()
        self.token_ns.extend([now] * count)


def check_count(trace: RequestTrace, expected: int) -> None:
    """Raise MeasurementError unless exactly `expected` tokens arrived."""
    if len(trace.token_ns) != expected:
        raise MeasurementError(f"A request produced {len(trace.token_ns)} output tokens, not "
                               f"the {expected} asked for: its TPOT would be wrong.",
                               "The engine must honour min_new_tokens=max_new_tokens.")


def timed_request(session: GenerativeSession, prompt: Sequence[int], output_tokens: int,
                  send_ns: int | None = None, user: int = 0) -> RequestTrace:
    """Run one request and return its trace; send_ns (a scheduled arrival) defaults to now."""
    trace = RequestTrace(send_ns if send_ns is not None else time.perf_counter_ns(),
                         len(prompt), user=user)
    session.generate(prompt, output_tokens, trace.on_token)
    check_count(trace, output_tokens)
    return trace


def timed_batch(session: GenerativeSession, prompts: Sequence[Sequence[int]],
                output_tokens: int) -> list[RequestTrace]:
    """Run prompts in one batched generate(); every trace shares the step arrival times."""
    send = time.perf_counter_ns()
    traces = [RequestTrace(send, len(p)) for p in prompts]
    steps: list[int] = []
    session.generate_batch(prompts, output_tokens, lambda n: steps.append(time.perf_counter_ns()))
    for t in traces:
        t.token_ns = list(steps)
        check_count(t, output_tokens)
    return traces
