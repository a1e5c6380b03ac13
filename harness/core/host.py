"""What the CPU's instruction set means for int8: VNNI decides onnxruntime's reduce_range."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")


@lru_cache(maxsize=1)
def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str]:
    """Return the CPU feature flags from /proc/cpuinfo (empty where unreadable)."""
    try:
        for line in Path(cpuinfo).read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def has_vnni() -> bool:
    """Return True when the CPU has an int8 dot-product instruction (VNNI or AMX)."""
    return any(flag in cpu_flags() for flag in VNNI_FLAGS)


def default_reduce_range() -> bool:
    """Return onnxruntime's reduce_range default: 7-bit weights only where VNNI is missing."""
    return not has_vnni()
