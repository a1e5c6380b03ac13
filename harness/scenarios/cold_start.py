"""The cold-start scenario: fresh processes, each timed from its spawn to its first result.

Each process (harness/scenarios/cold_child.py) imports the runtime, loads the artifact and runs
one inference; the phases are in harness/scenarios/cold_phases.py. With the compiled-model
cache on, one process first fills the cache (kept apart as `fill`), then every timed process
finds it; with it off, each process gets a fresh, empty folder. Settings alternate process by
process (off, on, on, off, ...), so that both see the same load on a shared machine.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import harness
from harness.backends.base import Backend
from harness.core.artifact import Artifact
from harness.core.errors import ConfigError, MeasurementError
from harness.scenarios import cold_child
from harness.scenarios.cold_phases import phases_ns, summarise
from harness.scenarios.config import CompileCache, ScenarioConfig

CLOCK = ("time.perf_counter_ns (CLOCK_MONOTONIC, system-wide): the parent's mark before the "
         "spawn and the child's marks from its first line are on one clock")


def cache_settings(backend: Backend, wanted: CompileCache) -> tuple[list[str], str]:
    """Return the cache settings to run ("off", "on") and a note when "on" cannot run here."""
    kind = backend.compile_cache()
    if wanted is CompileCache.off:
        return ["off"], ""
    if kind is None:
        note = (f"{backend.name} has no compiled-model cache to use: "
                f"{backend.no_compile_cache_reason()}")
        if wanted is CompileCache.on:
            raise ConfigError(f"scenario.compile_cache=on, but {note}.",
                              "Use scenario.compile_cache=off (or both, which runs off only).")
        return ["off"], note
    return (["on"] if wanted is CompileCache.on else ["off", "on"]), ""


def artifact_job(artifact: Artifact, work_dir: Path) -> tuple[dict[str, Any], str, int]:
    """Return (the artifact's JSON form, its saved module's path or "", its size in bytes)."""
    spec = {"format": str(artifact.format), "precision": artifact.precision,
            "inputs": [dataclasses.asdict(s) for s in artifact.inputs],
            "path": str(artifact.path) if artifact.path else None, "sha256": artifact.sha256,
            "size_bytes": artifact.size_bytes,
            "meta": {k: v for k, v in artifact.meta.items()
                     if isinstance(v, (str, int, float, bool))}}
    if artifact.path is not None:
        return spec, "", artifact.size_bytes or Path(artifact.path).stat().st_size
    import torch  # an in-memory artifact is a torch module: saved as the deployment would

    module_path = work_dir / "module.pt"
    torch.save(artifact.module, module_path)
    return spec, str(module_path), module_path.stat().st_size


def run_process(job: dict[str, Any], env: dict[str, str], timeout_s: float) -> dict[str, Any]:
    """Spawn one fresh process for `job`; return its marks (ns, with the parent's "spawn")."""
    job_path = Path(job["result_path"]).with_suffix(".job.json")
    job_path.write_text(json.dumps(job))
    flags = ["-P"] if sys.version_info >= (3, 11) else []  # no script folder on sys.path
    cmd = [sys.executable, *flags, cold_child.__file__, str(job_path)]
    spawn = time.perf_counter_ns()
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise MeasurementError(f"A cold-start process ran over {timeout_s} s.",
                               "Raise scenario.cold_start_timeout_s.") from exc
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-6:])
        raise MeasurementError(f"A cold-start process exited with {done.returncode}: {tail}",
                               "Run the same target with scenario=single_stream to see the "
                               "error in-process.")
    marks = json.loads(Path(job["result_path"]).read_text())
    marks["spawn"] = spawn
    return marks


def folder_size(folder: Path) -> tuple[int, int]:
    """Return (files, bytes) under folder (0, 0 when it does not exist)."""
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


def run_cold_start(backend: Backend, artifact: Artifact, inputs: dict[str, np.ndarray],
                   cfg: ScenarioConfig, work_dir: Path) -> dict[str, Any]:
    """Return the record's cold_start section: cfg.trials fresh processes per cache setting."""
    settings, note = cache_settings(backend, CompileCache(cfg.compile_cache))
    work_dir.mkdir(parents=True, exist_ok=True)
    np.savez(work_dir / "inputs.npz", **inputs)
    spec, module_path, size_bytes = artifact_job(artifact, work_dir)
    cache_dir = work_dir / "compile_cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    target = dataclasses.asdict(backend.target)

    def one(label: str, use_cache: bool) -> dict[str, Any]:
        folder = cache_dir if use_cache else work_dir / f"empty_{label}"
        cold = backend.cold_start_settings(folder, use_cache)
        job = {"harness_root": str(Path(harness.__file__).parents[1]),
               "runtime_modules": list(backend.runtime_modules),
               "target": {**target, "options": {**target["options"], **cold.options}},
               "artifact": spec, "module_path": module_path,
               "inputs_path": str(work_dir / "inputs.npz"),
               "result_path": str(work_dir / f"{label}.result.json")}
        marks = run_process(job, {**os.environ, **cold.env}, cfg.cold_start_timeout_s)
        if not use_cache:
            shutil.rmtree(folder, ignore_errors=True)
        return marks

    fill = one("fill", True) if "on" in settings else None
    cache_files, cache_bytes = folder_size(cache_dir)
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in settings}
    for trial in range(cfg.trials):
        for setting in settings if trial % 2 == 0 else settings[::-1]:
            runs[setting].append(one(f"{setting}_{trial}", setting == "on"))
    variants = {s: {"phases": summarise([phases_ns(m) for m in ms], cfg.confidence),
                    "describe": ms[-1].get("describe", {})} for s, ms in runs.items()}
    cache = {"kind": backend.compile_cache(), "setting": CompileCache(cfg.compile_cache).value,
             "ran": settings, "note": note}
    if fill is not None:
        cache.update(dir=str(cache_dir), files=cache_files, bytes=cache_bytes,
                     used=cache_files > 0, fill_phases=phases_ns(fill),
                     loaded_from_cache=[loaded_flag(m.get("describe", {})) for m in runs["on"]])
    return {"trials": cfg.trials, "artifact_size_bytes": size_bytes,
            "runtime_modules": list(backend.runtime_modules), "clock": CLOCK,
            "confidence": cfg.confidence, "order": "interleaved per process",
            "variants": variants, "cache": cache,
            "output_shapes": next(iter(runs.values()))[-1].get("output_shapes")}


def loaded_flag(describe: dict[str, Any]) -> bool | None:
    """Return whether the runtime says it loaded from its cache (None: it does not say)."""
    flag = describe.get("loaded_from_cache")
    return None if flag is None else bool(flag)
