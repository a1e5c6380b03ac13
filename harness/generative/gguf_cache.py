"""GGUF files for llama.cpp, made locally and cached: the model folder written as float32 GGUF,
then quantised by llama.cpp itself (llama_model_quantize) to f16, Q8_0 or Q4_K_M.

Files go to `<cache_dir>/generative/gguf/<folder name>-<format>.gguf`, each with a `.sha256`
beside it. A `generative.model.path` ending in .gguf is the user's own file, used as it is.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError, ModelError, QuantisationError
from harness.generative.config import GenModelConfig
from harness.generative.gguf_writer import write_gguf_f32
from harness.generative.model_folder import model_folder

#: weight_format -> llama_ftype (llama.h: LLAMA_FTYPE_ALL_F32, MOSTLY_F16, MOSTLY_Q8_0,
#: MOSTLY_Q4_K_M).
WEIGHT_FORMATS = {"f32": 0, "f16": 1, "q8_0": 7, "q4_k_m": 15}
#: The K-quant block: a Q4_K/Q5_K/Q6_K matrix needs rows of a multiple of this many weights.
QK_K = 256


def check_weight_format(weight_format: str) -> str:
    """Return weight_format; ConfigError listing the valid values otherwise."""
    if weight_format not in WEIGHT_FORMATS:
        raise ConfigError(f"generative.options.weight_format={weight_format} is not a GGUF "
                          "weight format the harness makes.",
                          f"Use one of: {', '.join(WEIGHT_FORMATS)}.")
    return weight_format


def is_gguf_path(cfg: GenModelConfig) -> bool:
    """Return whether model.path names a GGUF file (used as it is) rather than a folder."""
    return bool(cfg.path) and str(cfg.path).lower().endswith(".gguf")


def gguf_for(cfg: GenModelConfig, weight_format: str, threads: int) -> Path:
    """Return the GGUF file to load: the user's file, or the cached conversion of cfg's model
    folder in weight_format (converted and quantised here on first use)."""
    if is_gguf_path(cfg):
        path = Path(str(cfg.path)).expanduser()
        if not path.is_file():
            raise ModelError(f"generative.model.path={cfg.path} does not exist.",
                             "Point it at a .gguf file, or at a save_pretrained() folder.")
        return path
    check_weight_format(weight_format)
    folder = model_folder(cfg, cfg.cache_dir)
    out_dir = Path(cfg.cache_dir) / "generative" / "gguf"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = folder.name if not cfg.path else f"{folder.name}-{_folder_key(folder)}"
    f32 = out_dir / f"{stem}-f32.gguf"
    if not f32.is_file():
        _atomic(f32, lambda tmp: write_gguf_f32(folder, tmp, cfg.name))
    if weight_format == "f32":
        return f32
    target = out_dir / f"{stem}-{weight_format}.gguf"
    if not target.is_file():
        _atomic(target, lambda tmp: quantise(f32, tmp, weight_format, threads))
    return target


def quantise(src: Path, dst: Path, weight_format: str, threads: int) -> None:
    """Quantise GGUF src into dst with llama.cpp's llama_model_quantize."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = WEIGHT_FORMATS[weight_format]
    params.nthread = int(threads)
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(),
                                        ctypes.byref(params))
    if rc != 0 or not dst.is_file():
        raise QuantisationError(f"llama.cpp could not quantise {src.name} to {weight_format} "
                                f"(llama_model_quantize returned {rc}).",
                                "Run with LLAMA_LOG_LEVEL unset to see llama.cpp's log, or "
                                "choose weight_format=f32.")


def tensor_types(path: Path) -> dict[str, Any]:
    """Return how many matrices of the GGUF file are stored in each type, and how many Q4_K
    rows-of-256 constraints forced llama.cpp to a fallback type."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    matrices = [t for t in reader.tensors if len(t.shape) >= 2]
    counts = Counter(t.tensor_type.name.lower() for t in matrices)
    not_k = sum(1 for t in matrices if int(t.shape[0]) % QK_K)  # shape[0]: row length
    return {"matrices": dict(sorted(counts.items())), "rows_not_multiple_of_256": not_k,
            "of_matrices": len(matrices)}


def sha256_of(path: Path) -> str:
    """Return the file's sha256, cached in `<file>.sha256` (keyed by size and mtime)."""
    stat = path.stat()
    key = f"{stat.st_size}:{stat.st_mtime_ns}"
    side = path.with_name(path.name + ".sha256")
    if side.is_file():
        cached_key, _, digest = side.read_text().partition(" ")
        if cached_key == key:
            return digest.strip()
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    try:
        side.write_text(f"{key} {h.hexdigest()}")
    except OSError:
        pass  # a read-only folder: recompute next time
    return h.hexdigest()


def _folder_key(folder: Path) -> str:
    """A short key for a user's folder: its path and its weight files' sizes and mtimes."""
    parts = [str(folder.resolve())] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                                       for p in sorted(folder.glob("*.safetensors"))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:8]


def _atomic(target: Path, make: Any) -> None:
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        make(tmp)
        tmp.rename(target)
    finally:
        tmp.unlink(missing_ok=True)
