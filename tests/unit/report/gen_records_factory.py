"""Generative run records from hand-chosen request timestamps, through the real metrics.

Request i of a level is sent at a known time, its first token arrives `ttft_ms[i]` later and
each next token `tpot_ms` after that, so every figure a test checks can be worked out by hand.
The record's `generative` section is built by the same functions the run uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.generative.metrics import summarise_traces, traces_json
from harness.generative.trace import RequestTrace
from harness.records.schema import RunRecord, Status

MS = 1_000_000


def traces(ttft_ms: Sequence[float], tpot_ms: float, out: int, start_ns: int = 0,
           gap_ms: float = 0.0) -> list[RequestTrace]:
    """Return one trace per TTFT: sent back to back (plus gap_ms), `out` tokens each."""
    result, t = [], start_ns
    for i, first in enumerate(ttft_ms):
        tokens = [t + int(first * MS) + int(k * tpot_ms * MS) for k in range(out)]
        result.append(RequestTrace(t, 16, tokens, user=i % 4))
        t = tokens[-1] + int(gap_ms * MS)
    return result


def make_gen_record(levels: dict[int, list[RequestTrace]] | None = None,
                    scenario: str = "concurrency", model: str = "tiny_llm",
                    engine: str = "transformers", energy_j: float | None = 0.01,
                    provenance: str = "measured-counter", status: Status = Status.ok,
                    options: dict[str, Any] | None = None, dtype: str = "float32",
                    backend: dict[str, Any] | None = None, target: str = "cpu",
                    out: int = 8, run_id: str = "") -> RunRecord:
    """Return a generative record of `levels` (users -> traces; one level for non-concurrency
    scenarios, whose key is ignored), built like harness/generative/run.py builds it."""
    levels = levels or {1: traces([10 + i for i in range(40)], 5.0, out)}
    every = [t for level in levels.values() for t in level]
    gen = {"scenario": scenario, "engine": engine, **summarise_traces(every),
           "traces": traces_json(every)}
    if scenario == "concurrency":
        gen["levels"] = [{"users": u, "requests": len(t),
                          **{k: summarise_traces(t)[k] for k in ("system_output_tokens_per_s",)}}
                         for u, t in levels.items()]
    config = {"workload": "generative", "model": {"name": model}, "quant": {"name": "fp32"},
              "target": {"name": target}, "scenario": {"name": "single_stream"},
              "generative": {"engine": engine, "options": options or {},
                             "model": {"name": model, "dtype": dtype},
                             "prompts": {"input_tokens": 16, "output_tokens": out},
                             "scenario": {"name": scenario, "confidence": 0.95}}}
    energy = {} if energy_j is None else {"gross_j_per_inference": energy_j,
                                          "j_per_output_token": energy_j,
                                          "provenance": provenance, "uncertainty_rel": 0.05}
    return RunRecord(
        run_id=run_id or f"{model}-{engine}-{target}-gen_{scenario}", sweep="t", status=status,
        config=config, config_hash="0" * 8, created_at="2026-01-01T00:00:00+00:00",
        model={"name": model}, environment={"hostname": "box"},
        backend={"name": engine, **(backend or {})}, generative=gen, energy=energy,
        reason="" if status is Status.ok else "it broke")
