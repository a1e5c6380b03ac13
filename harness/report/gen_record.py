"""Read a generative record for reports: its identity (engine, weight format, scenario, users)
and its metrics with intervals, for the whole run or one concurrency level.

A concurrency run keeps every request's raw timestamps in `generative.traces`, level after
level (`generative.levels[i].requests` each), so one level's TTFT/TPOT/ITL/e2e percentiles and
their intervals are recomputed from its own traces with the same pure functions as the run's.
"""

from __future__ import annotations

from typing import Any

from harness.generative.metrics import summarise_traces
from harness.generative.trace import RequestTrace
from harness.records.schema import RunRecord

#: generative.model.dtype -> the weight format it names
DTYPE_FORMATS = {"float32": "fp32", "bfloat16": "bf16", "float16": "fp16"}
#: keys an engine may use for its weight format, in describe() (record.backend) or its options
FORMAT_KEYS = ("weight_format", "quant", "quantization", "precision", "weight_type")
#: the latency metrics of a generative record (each a summary in ns with intervals)
LATENCIES = ("ttft", "tpot", "itl", "e2e")


def is_generative(record: RunRecord) -> bool:
    """Return True for a record of a generative run (workload=generative)."""
    return record.config.get("workload") == "generative"


def _gen_config(record: RunRecord) -> dict[str, Any]:
    return record.config.get("generative") or {}


def weight_format(record: RunRecord) -> str:
    """Return the weight format: the record's, the engine's describe() or options, else the
    dtype of the model (float32 -> fp32)."""
    gen = _gen_config(record)
    sources = (record.generative.more, record.backend.to_dict(), gen.get("options") or {})
    for source in sources:
        for key in FORMAT_KEYS:
            value = source.get(key)
            if value not in (None, "", False):
                return str(value)
    dtype = str((gen.get("model") or {}).get("dtype") or "float32")
    return DTYPE_FORMATS.get(dtype, dtype)


def engine_name(record: RunRecord) -> str:
    """Return the generative engine's name (generative.engine)."""
    return str(_gen_config(record).get("engine") or record.generative.engine or "")


def scenario_name(record: RunRecord) -> str:
    """Return the scenario as given on the command line: gen_<generative.scenario.name>."""
    name = (_gen_config(record).get("scenario") or {}).get("name") or record.generative.scenario
    return f"gen_{name}"


def token_lengths(record: RunRecord) -> tuple[int | None, int | None]:
    """Return (input, output) tokens per request, as configured."""
    prompts = _gen_config(record).get("prompts") or {}
    return prompts.get("input_tokens"), prompts.get("output_tokens")


def user_levels(record: RunRecord) -> list[int]:
    """Return the users levels measured: each level of a concurrency run, 1 for single-stream,
    none for offline and server runs (their load is not a number of users)."""
    levels = record.generative.get("levels") or []
    if levels:
        return [int(level["users"]) for level in levels]
    return [1] if record.generative.scenario == "single_stream" else []


def _traces(items: list[dict[str, Any]]) -> list[RequestTrace]:
    return [RequestTrace(t["send_ns"], t["input_tokens"],
                         [t["send_ns"] + x for x in t["token_offsets_ns"]], t.get("user", 0))
            for t in items]


def summary(record: RunRecord, users: int | None = None) -> dict[str, Any] | None:
    """Return the metrics (summaries as dicts, ns; throughputs, tokens/s) of the whole run, or of
    its `users` level; None when the run has no such level or its traces are missing."""
    gen = record.generative
    levels = gen.get("levels") or []
    if users is None or (not levels and users in user_levels(record)):
        out = {k: getattr(gen, k) for k in ("requests", "system_output_tokens_per_s",
                                             "request_output_tokens_per_s_mean")}
        out.update({k: _as_dict(getattr(gen, k)) for k in LATENCIES})
        return out
    start = 0
    for level in levels:
        if int(level["users"]) == users:
            items = (gen.traces or [])[start:start + int(level["requests"])]
            if len(items) != int(level["requests"]):
                return None
            confidence = (_gen_config(record).get("scenario") or {}).get("confidence", 0.95)
            return summarise_traces(_traces(items), confidence)
        start += int(level["requests"])
    return None


def _as_dict(value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    from dataclasses import asdict

    return asdict(value)
