"""One generative run, wired: engine -> session -> prompts -> warm-up -> scenario in the energy
meter's window -> the record's `generative` and `energy` sections."""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import Any

from harness.energy.auto import create_meter
from harness.energy.base import EnergyMeter, NullMeter
from harness.energy.config import MeterConfig
from harness.energy.method import summarise_energy
from harness.generative import scenarios
from harness.generative.config import GenerativeConfig, GenScenario
from harness.generative.engine import GenerativeSession, create_engine
from harness.generative.metrics import summarise_traces, traces_json
from harness.generative.quality_run import measure_quality
from harness.generative.requests import build_prompts
from harness.generative.search import is_valid
from harness.generative.server_search import searched_server
from harness.generative.trace import RequestTrace
from harness.records.builder import RunBuilder


def execute_generative(cfg: GenerativeConfig, meter_cfg: MeterConfig, device: str,
                       run: RunBuilder) -> None:
    """Do the run, filling `run` as each phase completes; raises on the first failure."""
    engine = create_engine(cfg.engine, cfg.options)
    run.set(backend={"name": engine.name, "version": engine.version(),
                     "probe": vars(engine.probe())})
    with run.phase("session_create"):
        session = engine.load(cfg.model, device)
    try:
        run.set(backend={**run.fields["backend"], **session.describe()},
                model={"name": cfg.model.name, "source": "folder" if cfg.model.path else "config",
                       "weights": "local folder" if cfg.model.path else "random",
                       "weights_note": _weights_note(cfg), "model_type": cfg.model.model_type,
                       "parameter_count": session.describe().get("parameter_count")})
        _measure(cfg, meter_cfg, device, session, run)
    finally:
        session.close()


def _weights_note(cfg: GenerativeConfig) -> str:
    if cfg.model.path:
        return f"real weights from {cfg.model.path}"
    return ("seeded random weights in the published shape (" + (cfg.model.source_note or
            cfg.model.name) + "); latency does not depend on weight values at a fixed output "
            "length, quality means nothing")


def _measure(cfg: GenerativeConfig, meter_cfg: MeterConfig, device: str,
             session: GenerativeSession, run: RunBuilder) -> None:
    p = cfg.prompts
    prompts = build_prompts(p, session, p.requests + p.warmup_requests)
    warm, timed = prompts[:p.warmup_requests], prompts[p.warmup_requests:]
    with run.phase("first_inference"):
        scenarios.single_stream(session, warm or timed[:1], p.output_tokens)
    meter, why = create_meter(meter_cfg, device)
    try:
        result = _scenario(cfg, session, timed, meter)
    finally:
        meter.close()
    run.set(generative=result["generative"], energy={**result["energy"], "meter_choice": why})
    if cfg.quality.enabled:
        with run.phase("quality"):
            quality = measure_quality(cfg, session, device)
        run.set(generative={**run.fields["generative"], "quality": quality})


def _scenario(cfg: GenerativeConfig, session: GenerativeSession, prompts: list,
              meter: EnergyMeter) -> dict[str, Any]:
    sc, out = cfg.scenario, cfg.prompts.output_tokens
    fields: dict[str, Any] = {"scenario": sc.name.value, "engine": cfg.engine,
                              "input_tokens": cfg.prompts.input_tokens, "output_tokens": out,
                              "prompt_source": (cfg.prompts.file
                                                or f"seeded ids (seed {cfg.prompts.seed})")}
    if sc.name is GenScenario.server and sc.search_rate:
        best, probe, fields["search"] = searched_server(session, prompts, out, sc, meter)
        sc = replace(sc, rate_rps=best)
        all_traces, readings = probe.traces, probe.readings
        start_unix, end_unix, per_level = probe.start_unix_s, probe.end_unix_s, []
    else:
        levels = [int(u) for u in sc.users] if sc.name is GenScenario.concurrency else [0]
        all_traces, per_level = [], []
        window = meter.window()
        start_unix = time.time()
        with window:
            for users in levels:
                traces = _issue(sc, session, prompts, out, users)
                all_traces.extend(traces)
                per_level.append((users, traces))
        readings, end_unix = window.readings, time.time()
    summary = summarise_traces(all_traces, sc.confidence)
    fields.update(summary, window_start_unix_s=start_unix, window_end_unix_s=end_unix,
                  traces=traces_json(all_traces))
    if sc.name is GenScenario.server:
        fields.update(rate_rps=sc.rate_rps, ttft_bound_ms=sc.ttft_bound_ms,
                      tpot_bound_ms=sc.tpot_bound_ms, valid=is_valid(summary, sc))
    if sc.name is GenScenario.concurrency:
        fields["levels"] = [_level(u, t, sc.confidence) for u, t in per_level]
    return {"generative": fields, "energy": _energy(meter, readings, summary)}


def _issue(sc: Any, session: GenerativeSession, prompts: list, out: int,
           users: int) -> list[RequestTrace]:
    if sc.name is GenScenario.offline:
        return scenarios.offline(session, prompts, out, sc.offline_batch)
    if sc.name is GenScenario.server:
        return scenarios.server(session, prompts, out, sc, float(sc.rate_rps))
    if sc.name is GenScenario.concurrency:
        return scenarios.concurrency(session, prompts, out, users)
    return scenarios.single_stream(session, prompts, out)


def _level(users: int, traces: list[RequestTrace], confidence: float) -> dict[str, Any]:
    s = summarise_traces(traces, confidence)
    return {"users": users, "system_output_tokens_per_s": s["system_output_tokens_per_s"],
            "per_user_output_tokens_per_s": s["request_output_tokens_per_s_mean"],
            "ttft_p50_ns": s["ttft"]["p50"]["value_ns"] if s["ttft"]["p50"] else None,
            "tpot_p50_ns": (s["tpot"] or {}).get("p50", {}) and s["tpot"]["p50"]["value_ns"],
            "requests": s["requests"]}


def _energy(meter: EnergyMeter, readings: list, summary: dict[str, Any]) -> dict[str, Any]:
    """Return the energy section: joules per output token (its provenance kept)."""
    energy: dict[str, Any] = {"meter": meter.name}
    if isinstance(meter, NullMeter) or not readings:
        return energy
    tokens = summary["output_tokens"]
    s = summarise_energy(readings, None, tokens, tokens, None, meter.min_window_s)
    energy.update(asdict(s), j_per_output_token=s.gross_j_per_inference,
                  readings=[asdict(r) for r in readings], per="output token")
    return energy
