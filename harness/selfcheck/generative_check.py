"""The generative cross-check: our openai_remote single-stream TTFT / TPOT against AIPerf's,
both driving the same OpenAI-compatible endpoint with the same input and output lengths,
interleaved round by round (the order alternating), p50 of each round compared.

`endpoint=None` starts a real local server (transformers serve over the random-weight model
folder of configs/model/<model>.yaml); otherwise the endpoint is used as it is, with
`folder` giving the served model's config and tokenizer (AIPerf sizes its prompts with it).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.core.errors import ConfigError
from harness.generative import scenarios
from harness.generative.config import GenModelConfig, PromptConfig
from harness.generative.engine import create_engine
from harness.generative.local_server import LocalServer, shipped_model
from harness.generative.model_folder import model_folder
from harness.generative.openai_engine import OpenAISession
from harness.generative.requests import build_prompts
from harness.selfcheck.aiperf_tool import aiperf_binary, aiperf_version, run_aiperf
from harness.selfcheck.rows import CheckRow, info_row, ratio_row

TOLERANCE = 0.05  # p50 within 5 %


@dataclass(frozen=True)
class GenPlan:
    """What the generative cross-check sends: rounds of `requests` single-stream requests."""

    rounds: int = 3
    requests: int = 16
    input_tokens: int = 128
    output_tokens: int = 64
    model: str = "smollm2_135m"
    layers: int | None = None  # fewer hidden layers (tests)
    aiperf_timeout_s: float = 600.0


def _eos_inputs(session: OpenAISession, n: int) -> dict[str, Any]:
    """Return AIPerf's --extra-inputs: the EOS knob our engine found the server takes."""
    if session.eos_knob == "ignore_eos":
        return {"ignore_eos": True, "min_tokens": n}
    if session.eos_knob == "generation_config":
        return {"generation_config": f'{{"min_new_tokens": {n}}}'}
    return {}


def run_generative_check(plan: GenPlan, cache_dir: Path, log_dir: Path,
                         endpoint: str | None = None, served_model: str | None = None,
                         folder: str | None = None, threads: int | None = None,
                         log: Callable[[str], None] = lambda _: None) -> list[CheckRow]:
    """Return the TTFT p50 and TPOT p50 rows (ours vs AIPerf, PASS within 5 %); with the local
    server also context rows: ours through the server vs transformers in this process."""
    binary = aiperf_binary()
    local = endpoint is None
    with ExitStack() as stack:
        if local:
            cfg = shipped_model(plan.model, plan.layers, str(cache_dir))
            log(f"selfcheck: starting transformers serve over {plan.model} ...")
            folder = str(model_folder(cfg, cache_dir))
            server = stack.enter_context(LocalServer(folder, _free_port(), threads,
                                                     log=log_dir / "serve.log"))
            endpoint, served_model, tokenizer = server.url, server.model, str(server.folder)
        else:
            if not (served_model and folder):
                raise ConfigError(f"--generative {endpoint} needs --generative-model (the "
                                  "served name) and --generative-folder.",
                                  "Give a local copy of the served model's folder (config and "
                                  "tokenizer): AIPerf and the prompts are sized with it.")
            cfg = GenModelConfig(name=plan.model, path=folder, cache_dir=str(cache_dir))
            tokenizer = str(folder)
        session = create_engine("openai_remote", {"url": endpoint, "model": served_model,
                                                  "timeout_s": 600}).load(cfg)
        stack.callback(session.close)
        prompts = build_prompts(PromptConfig(plan.input_tokens, plan.output_tokens,
                                             plan.requests, 1), session, plan.requests + 1)
        root = "{0.scheme}://{0.netloc}".format(urlsplit(endpoint))
        runners: dict[str, Callable[[int], dict[str, Any]]] = {
            "ours": lambda r: _times(scenarios.single_stream(session, prompts[1:],
                                                             plan.output_tokens)),
            "aiperf": lambda r: run_aiperf(
                binary, root, str(served_model), tokenizer, plan.input_tokens,
                plan.output_tokens, plan.requests, _eos_inputs(session, plan.output_tokens),
                log_dir / f"aiperf-{r}", plan.aiperf_timeout_s)}
        if local:  # the same folder in this process: what the server's HTTP path costs
            inproc = create_engine("transformers", {"threads": threads}).load(
                GenModelConfig(name=plan.model, path=folder, cache_dir=str(cache_dir)))
            stack.callback(inproc.close)
            scenarios.single_stream(inproc, prompts[:1], plan.output_tokens)
            runners["in_process"] = lambda r: _times(scenarios.single_stream(
                inproc, prompts[1:], plan.output_tokens))
        scenarios.single_stream(session, prompts[:1], plan.output_tokens)  # warm-up
        names, rounds = list(runners), []
        for r in range(plan.rounds):
            order = names[r % len(names):] + names[:r % len(names)]  # rotated each round
            log(f"selfcheck: generative round {r + 1}/{plan.rounds} ({', '.join(order)})")
            rounds.append({"order": order, **{who: _timed(runners[who], r) for who in order}})
        detail = {"endpoint": endpoint, "model": served_model, "aiperf": aiperf_version(binary),
                  "server": session.info["server"], "plan": vars(plan), "threads": threads,
                  "prompt_format": session.prompt_format, "eos_knob": session.eos_knob,
                  "stream": dict(session.stream_stats), "rounds": rounds}
    rows = [_row("generative TTFT p50: openai_remote vs AIPerf", "ttft_ns", "aiperf", rounds,
                 detail),
            _row("generative TPOT p50: openai_remote vs AIPerf ITL", "tpot_ns", "aiperf",
                 rounds, detail)]
    if "in_process" in rounds[0]:
        rows += [_row(f"generative {m} p50: through transformers serve vs in-process "
                      "transformers", f"{m.lower()}_ns", "in_process", rounds, {}, info=True)
                 for m in ("TTFT", "TPOT")]
    return rows


def _timed(runner: Callable[[int], dict[str, Any]], r: int) -> dict[str, Any]:
    """Run one tool's round; add its wall time and the CPU time it used (this process's for
    ours and in-process, the finished child processes' for AIPerf): the measurer's footprint."""
    wall, cpu, kids = time.perf_counter(), time.process_time(), _children_cpu_s()
    out = runner(r)
    return {**out, "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + _children_cpu_s() - kids}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _times(traces: list) -> dict[str, list[int]]:
    return {"ttft_ns": [t.token_ns[0] - t.send_ns for t in traces],
            "tpot_ns": [(t.token_ns[-1] - t.token_ns[0]) // (len(t.token_ns) - 1)
                        for t in traces]}


def _row(check: str, key: str, ref: str, rounds: list[dict[str, Any]], detail: dict,
         info: bool = False) -> CheckRow:
    ours = [statistics.median(r["ours"][key]) / 1e6 for r in rounds]
    theirs = [statistics.median(r[ref][key]) / 1e6 for r in rounds]
    pairs = [a / b for a, b in zip(ours, theirs, strict=True)]
    extra = {**detail, "ours_p50_ms": ours, f"{ref}_p50_ms": theirs}
    if info:
        return info_row(check, statistics.median(ours), statistics.median(theirs), "ms",
                        "context: the server's HTTP, tokenizer and process hop", extra, pairs)
    return ratio_row(check, statistics.median(ours), statistics.median(theirs), "ms",
                     TOLERANCE, extra, pairs)
    return [_row("generative TTFT p50: openai_remote vs AIPerf", "ttft_ns", rounds, detail),
            _row("generative TPOT p50: openai_remote vs AIPerf ITL", "tpot_ns", rounds, detail)]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
