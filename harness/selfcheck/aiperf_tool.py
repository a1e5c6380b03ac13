"""AIPerf (NVIDIA's LLM benchmark client, `make aiperf-env` installs it into .venv-aiperf) driven
against an OpenAI-compatible endpoint; its per-request export (profile_export.jsonl) read back.

AIPerf's definitions match ours: TTFT = request start -> first token chunk; its
inter_token_latency per request = (request latency - TTFT) / (output tokens - 1), i.e. our TPOT.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from harness.core.errors import BackendUnavailable, MeasurementError

ROOT = Path(__file__).resolve().parents[2]


def aiperf_binary() -> str:
    """Return the aiperf executable ($AIPERF, .venv-aiperf, or PATH); BackendUnavailable."""
    for candidate in (os.environ.get("AIPERF"), str(ROOT / ".venv-aiperf" / "bin" / "aiperf"),
                      shutil.which("aiperf")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise BackendUnavailable("AIPerf is not installed, so the generative cross-check has no "
                             "independent measurer.", "Install it: make aiperf-env (a venv of its "
                             "own, .venv-aiperf), or set AIPERF=/path/to/aiperf.")


def aiperf_version(binary: str) -> str:
    """Return `aiperf --version`'s last line."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=120)
    return (out.stdout.strip().splitlines() or ["unknown"])[-1]


def run_aiperf(binary: str, url_root: str, model: str, tokenizer: str, input_tokens: int,
               output_tokens: int, requests: int, extra_inputs: dict[str, Any], out_dir: Path,
               timeout_s: float) -> dict[str, Any]:
    """Run one single-stream AIPerf profile; return its per-request TTFT and TPOT (ns)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [binary, "profile", "--model", model, "--url", url_root,
           "--endpoint-type", "completions", "--streaming", "--tokenizer", tokenizer,
           "--prompt-input-tokens-mean", str(input_tokens), "--prompt-input-tokens-stddev", "0",
           "--prompt-output-tokens-mean", str(output_tokens),
           "--prompt-output-tokens-stddev", "0", "--concurrency", "1",
           "--request-count", str(requests), "--warmup-request-count", "1",
           "--use-server-token-count", "--output-artifact-dir", str(out_dir),
           "--ui-type", "none"]
    if extra_inputs:
        cmd += ["--extra-inputs", json.dumps(extra_inputs)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise MeasurementError(f"AIPerf did not finish within {timeout_s:g} s.",
                               f"See {out_dir}/logs; fewer requests finish sooner.") from exc
    (out_dir / "console.txt").write_text(proc.stdout[-20000:] + proc.stderr[-20000:])
    export = out_dir / "profile_export.jsonl"
    if proc.returncode != 0 or not export.is_file():
        raise MeasurementError(f"AIPerf failed ({proc.returncode}): "
                               f"{(proc.stderr or proc.stdout)[-600:]}", f"See {out_dir}.")
    return read_export(export, input_tokens, output_tokens, requests) | {"cmd": cmd}


def read_export(path: Path, input_tokens: int, output_tokens: int,
                requests: int) -> dict[str, Any]:
    """Return the profiling phase's per-request TTFT and TPOT (ns) from profile_export.jsonl,
    checking each request's token counts (as the server reported them)."""
    ttft, tpot, isl = [], [], []
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        if rec.get("metadata", {}).get("benchmark_phase") != "profiling":
            continue
        m = rec.get("metrics", {})
        if m.get("error") or "time_to_first_token" not in m:
            raise MeasurementError(f"An AIPerf request failed: {rec.get('error') or m}",
                                   f"See {path.parent}/logs.")
        osl = m["output_sequence_length"]["value"]
        if osl != output_tokens:
            raise MeasurementError(f"An AIPerf request got {osl} output tokens, not "
                                   f"{output_tokens}.", "The server must ignore EOS.")
        ttft.append(int(m["time_to_first_token"]["value"] * 1e6))
        tpot.append(int(m["inter_token_latency"]["value"] * 1e6))
        isl.append(m["input_sequence_length"]["value"])
    if len(ttft) != requests:
        raise MeasurementError(f"AIPerf's export holds {len(ttft)} requests, not {requests}.",
                               f"See {path.parent}/logs.")
    return {"ttft_ns": ttft, "tpot_ns": tpot, "input_tokens": isl, "export": str(path)}
