"""Run the real `harness-bench` entry point in a subprocess with short, fast settings."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAST = [
    "scenario.warmup_count=5", "scenario.warmup_s=0.01", "scenario.min_count=50",
    "scenario.min_duration_s=0.1", "scenario.max_duration_s=0.5", "meter.idle_baseline_s=0",
]


def bench(tmp: Path, *overrides: str, cache: Path | None = None) -> subprocess.CompletedProcess:
    """Run harness-bench with results and cache under `tmp`; returns the finished process."""
    tmp.mkdir(parents=True, exist_ok=True)
    flags = [o for o in overrides if o.startswith("-")]
    overrides = tuple(o for o in overrides if not o.startswith("-"))
    cmd = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()", *flags,
           f"results_dir={tmp / 'results'}", f"cache_dir={cache or tmp / 'cache'}", *FAST,
           *overrides]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp)


def records(tmp: Path) -> list[dict]:
    """Return every record JSON written under tmp/results (sorted by run id)."""
    paths = [p for p in (tmp / "results").rglob("*.json") if "runs" not in p.parts]
    return sorted((json.loads(p.read_text()) for p in paths), key=lambda r: r["run_id"])


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache shared by the e2e tests so each model is exported once per session."""
    return tmp_path_factory.mktemp("cache")


def free_ports(n: int) -> list[int]:
    """Return n TCP ports free on 127.0.0.1 right now (for servers a test starts)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def one_record(results: Path, *overrides: str, timeout_s: int = 600) -> dict:
    """Run harness-bench from the repository root with `overrides` and its results in `results`;
    return the one record it wrote (the run's stderr on failure)."""
    proc = subprocess.run(
        [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()", *overrides,
         f"results_dir={results}"],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    found = [json.loads(p.read_text()) for p in results.rglob("*.json")
             if '"run_id"' in p.read_text()[:200]]
    assert len(found) == 1, proc.stderr[-2000:]
    return found[0]


def tiny_gen(*overrides: str, requests: int = 3, shape: dict | None = None) -> list[str]:
    """Return the overrides of a run on a tiny generative model (SmolLM2 shape cut down by
    `shape`), `requests` requests of 16 in / 8 out, estimated meter, no isolation, `overrides`."""
    return ["model=smollm2_135m", "scenario=gen_single_stream",
            *[f"generative.model.config.{k}={v}" for k, v in (shape or {}).items()],
            "generative.prompts.input_tokens=16", "generative.prompts.output_tokens=8",
            f"generative.prompts.requests={requests}", *overrides, "meter=estimated",
            "isolation=none"]


def gen_bench_record(tmp: Path, engine: str, *overrides: str,
                     shape: dict | None = None) -> dict:
    """Run harness-bench on a tiny generative model (SmolLM2 shape cut down by `shape`), 3
    requests of 16 in / 8 out, into tmp; return its one record (the run's stderr on failure)."""
    return one_record(tmp / "results", *tiny_gen(f"generative.engine={engine}", *overrides,
                                                 f"cache_dir={tmp / 'cache'}", shape=shape))


def quantised_gen_record(tmp: Path, engine: str, weight_format: str,
                         shape: dict) -> tuple[dict, dict, dict]:
    """Run `engine` at `weight_format` with the quality check on (2 prompts of 8 tokens) as in
    gen_bench_record; check it is ok with exact token counts, timings and a quality section
    without error; return (record, its backend section, its generative section)."""
    record = gen_bench_record(tmp, engine, f"generative.options.weight_format={weight_format}",
                              "generative.quality.enabled=true", "generative.quality.prompts=2",
                              "generative.quality.tokens=8", shape=shape)
    assert record["status"] == "ok", record["reason"]
    backend, gen = record["backend"], record["generative"]
    assert backend["weight_format"] == weight_format
    assert (gen["input_tokens"], gen["output_tokens"]) == (3 * 16, 3 * 8)
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    assert "error" not in gen["quality"], gen["quality"]
    return record, backend, gen
