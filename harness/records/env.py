"""Environment fingerprint: what machine and software produced a number."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.core.host import cpu_flags

LIBRARIES = ("torch", "onnx", "onnxscript", "onnxruntime", "openvino", "executorch",
             "mlcommons-loadgen", "zeus", "hydra-core", "numpy")
INTERESTING_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8", "amx_bf16",
                     "avx512_bf16", "avx512_fp16", "fma", "neon", "asimd", "asimddp")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model", "Hardware")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str]:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit(repo: Path | None = None) -> str:
    """Return the harness's git commit (with '+dirty' when modified), or '' outside git."""
    repo = repo or Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty=+dirty",
                              "--abbrev=40"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


@lru_cache(maxsize=1)
def fingerprint() -> dict[str, Any]:
    """Return the static part of the environment: CPU, cores, OS, Python, libraries, commit."""
    flags = cpu_flags()
    return {
        "hostname": socket.gethostname(),
        "cpu_model": _cpu_model(),
        "cpu_flags": sorted(f for f in INTERESTING_FLAGS if f in flags),
        "machine": platform.machine(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "libraries": _versions(),
        "harness_commit": git_commit(),
        "ci": bool(os.environ.get("CI")),
    }
