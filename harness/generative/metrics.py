"""Generative metrics as pure functions of raw request timestamps (integer ns).

Definitions (NVIDIA NIM LLM benchmarking "Metrics" / AIPerf metrics reference; MLPerf
Inference LLM rules, which bound p99 TTFT and p99 TPOT in the server scenario):

* TTFT: request sent -> first output token received; queueing and prefill included.
* ITL: time between consecutive output tokens of one request (n - 1 gaps for n tokens).
* TPOT: mean inter-token time after the first token, (last - first) / (n - 1), per request.
* End-to-end latency: request sent -> last token received.
* Output tokens/s per request: n / end-to-end latency; for the system: every output token of
  the window / (last token received - first request sent).
* Prefill tokens/s: input tokens / TTFT, per request (an upper bound on prefill time, as TTFT
  includes queueing).
Percentiles and their intervals come from harness/core/stats.py, as for tensor latencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from harness.core.stats import summarize
from harness.generative.trace import RequestTrace


def ttft_ns(trace: RequestTrace) -> int:
    """Return time to first token (ns)."""
    return trace.token_ns[0] - trace.send_ns


def e2e_ns(trace: RequestTrace) -> int:
    """Return end-to-end request latency (ns)."""
    return trace.token_ns[-1] - trace.send_ns


def itl_ns(trace: RequestTrace) -> list[int]:
    """Return the gaps between consecutive output tokens (ns)."""
    return [b - a for a, b in zip(trace.token_ns, trace.token_ns[1:], strict=False)]


def tpot_ns(trace: RequestTrace) -> int | None:
    """Return mean time per output token after the first (ns); None for a 1-token output."""
    n = len(trace.token_ns)
    return None if n < 2 else (trace.token_ns[-1] - trace.token_ns[0]) // (n - 1)


def request_tokens_per_s(trace: RequestTrace) -> float:
    """Return the request's output tokens per second of its end-to-end latency."""
    return len(trace.token_ns) * 1e9 / max(e2e_ns(trace), 1)


def system_window_ns(traces: Sequence[RequestTrace]) -> int:
    """Return first send -> last token received over all requests (ns)."""
    return max(t.token_ns[-1] for t in traces) - min(t.send_ns for t in traces)


def system_tokens_per_s(traces: Sequence[RequestTrace]) -> float:
    """Return all output tokens / the window from first send to last token (tokens/s)."""
    return sum(len(t.token_ns) for t in traces) * 1e9 / max(system_window_ns(traces), 1)


def _summary(values_ns: Sequence[int], confidence: float) -> dict[str, Any] | None:
    return asdict(summarize(list(values_ns), confidence)) if values_ns else None


def summarise_traces(traces: Sequence[RequestTrace], confidence: float = 0.95
                     ) -> dict[str, Any]:
    """Return every metric's summary (ns, with intervals) and the throughputs of `traces`."""
    tpots = [v for t in traces if (v := tpot_ns(t)) is not None]
    per_request = [request_tokens_per_s(t) for t in traces]
    prefill = [t.input_tokens * 1e9 / max(ttft_ns(t), 1) for t in traces]
    output_tokens = sum(len(t.token_ns) for t in traces)
    return {
        "requests": len(traces), "output_tokens": output_tokens,
        "input_tokens": sum(t.input_tokens for t in traces),
        "ttft": _summary([ttft_ns(t) for t in traces], confidence),
        "tpot": _summary(tpots, confidence),
        "itl": _summary([g for t in traces for g in itl_ns(t)], confidence),
        "e2e": _summary([e2e_ns(t) for t in traces], confidence),
        "window_ns": system_window_ns(traces),
        "system_output_tokens_per_s": system_tokens_per_s(traces),
        "request_output_tokens_per_s_mean": sum(per_request) / len(per_request),
        "prefill_tokens_per_s_mean": sum(prefill) / len(prefill),
    }


def p99_ms(summary: dict[str, Any] | None) -> float | None:
    """Return LoadGen's nearest-rank p99 (ms) of a summary, from its max when p99 has no CI."""
    if not summary:
        return None
    p99 = summary.get("p99")
    return (p99["value_ns"] if p99 else summary["max_ns"]) / 1e6


def traces_json(traces: Sequence[RequestTrace]) -> list[dict[str, Any]]:
    """Return the raw timestamps for the record (ns; token times relative to send)."""
    return [{"send_ns": t.send_ns, "input_tokens": t.input_tokens, "user": t.user,
             "token_offsets_ns": [x - t.send_ns for x in t.token_ns]} for t in traces]
