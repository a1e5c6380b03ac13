"""onnxruntime-genai's model builder run on a model folder, its output cached for later runs.

`python -m onnxruntime_genai.models.builder -i FOLDER -o OUT -p FORMAT -e PROVIDER` runs in a
child process (it imports torch and transformers and prints a great deal; a crash there does not
take the run down). The ONNX model, genai_config.json and tokenizer land in
`<cache_dir>/generative/ortgenai/<folder name>-<format>[-<provider>][-<options hash>]/`, with
`harness_build.json` saying what was built from what; a later run reuses it while the source
folder's files are unchanged. Nothing is downloaded (the builder runs with the hub offline).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.errors import ModelError

#: Weight formats the builder writes for each execution provider (its -p choices per -e).
WEIGHT_FORMATS = {"cpu": ("fp32", "int8", "int4"),
                  "cuda": ("fp32", "fp16", "bf16", "int8", "int4")}
MANIFEST = "harness_build.json"
SOURCE_FILES = ("config.json", "*.safetensors", "tokenizer.json", "tokenizer.model")


@dataclass(frozen=True)
class BuiltModel:
    """A built onnxruntime-genai model folder and how it came to be."""

    path: Path
    cache_hit: bool
    build_s: float  # this run's build time (0 on a cache hit); the original is in the manifest
    manifest: dict[str, Any]


def build_dir(cache_dir: str | Path, folder: Path, weight_format: str, provider: str,
              builder_options: dict[str, Any]) -> Path:
    """Return where the build of `folder` in this format for this provider is cached."""
    name = f"{folder.name}-{weight_format}" + ("" if provider == "cpu" else f"-{provider}")
    if builder_options:
        key = json.dumps(builder_options, sort_keys=True, default=str).encode()
        name += "-" + hashlib.sha256(key).hexdigest()[:8]
    return Path(cache_dir) / "generative" / "ortgenai" / name


def source_fingerprint(folder: Path) -> dict[str, list[int]]:
    """Return {file: [size, mtime_ns]} of the folder's config, weights and tokenizer files."""
    files = sorted({p for pattern in SOURCE_FILES for p in folder.glob(pattern) if p.is_file()})
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in files}


def build_model(folder: Path, cache_dir: str | Path, weight_format: str, provider: str,
                builder_options: dict[str, Any], version: str) -> BuiltModel:
    """Return the built model for folder: the cached one when its source is unchanged, else a
    fresh build (ModelError with the builder's last lines when it fails)."""
    out = build_dir(cache_dir, folder, weight_format, provider, builder_options)
    wanted = {"source_folder": str(folder.resolve()), "source_files": source_fingerprint(folder),
              "weight_format": weight_format, "execution_provider": provider,
              "builder_options": builder_options, "onnxruntime_genai": version}
    cached = _read_manifest(out)
    if cached and all(cached.get(k) == v for k, v in wanted.items()):
        return BuiltModel(out, True, 0.0, cached)
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    start = time.perf_counter()
    _run_builder(folder, tmp, weight_format, provider, builder_options)
    build_s = time.perf_counter() - start
    manifest = {**wanted, "build_s": build_s, "built_unix_s": time.time(),
                "builder": "onnxruntime_genai.models.builder"}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return BuiltModel(out, False, build_s, manifest)


def parameter_count(folder: Path) -> int:
    """Return the number of weights stored in the folder's safetensors files."""
    from safetensors import safe_open

    count = 0
    for path in sorted(folder.glob("*.safetensors")):
        with safe_open(str(path), framework="numpy") as fh:
            count += sum(int(np.prod(fh.get_slice(k).get_shape())) for k in fh.keys())
    return count


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def _run_builder(folder: Path, out: Path, weight_format: str, provider: str,
                 builder_options: dict[str, Any]) -> None:
    cmd = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(folder),
           "-o", str(out), "-p", weight_format, "-e", provider, "-c", str(out / "_hf_cache")]
    if builder_options:
        cmd += ["--extra_options", *(f"{k}={v}" for k, v in builder_options.items())]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TQDM_DISABLE": "1"}
    log = out / "build.log"
    with log.open("w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, check=False)
    shutil.rmtree(out / "_hf_cache", ignore_errors=True)
    if proc.returncode != 0 or not (out / "genai_config.json").is_file():
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-4:])
        shutil.rmtree(out, ignore_errors=True)
        raise ModelError(f"onnxruntime-genai's model builder could not convert {folder} to "
                         f"{weight_format} for {provider} (exit {proc.returncode}): {tail}",
                         "Check that the folder's architecture is one the builder supports "
                         "(llama, qwen2, phi3, gemma, mistral, ...), or pick another "
                         "generative.options.weight_format; the command was: " + " ".join(cmd))
