"""What a backend loads: an exported or quantised model in one format and precision."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from harness.core.registry import plugin_member


class ArtifactFormat(str, Enum):
    """What an exporter writes and a backend loads; a plugin's exporter may add a format.

    A name outside the built-ins becomes a member on first use (`ArtifactFormat("nimbus")`), so
    a plugin's format is typed like the built-in ones without editing this enum."""

    onnx = "onnx"
    torch = "torch"
    pte = "pte"
    tflite = "tflite"

    @classmethod
    def _missing_(cls, value: object) -> ArtifactFormat | None:
        if not (isinstance(value, str) and value.isidentifier() and value.islower()):
            return None
        return plugin_member(cls, value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class TensorSpec:
    """One model input or output: name, shape with the batch first, numpy dtype name."""

    name: str
    shape: tuple[int, ...]
    dtype: str = "float32"


#: meta keys that say how the fp32 graph was made; quantised artifacts carry them on.
EXPORT_PROVENANCE = ("exporter", "fusions", "fusions_skipped")


@dataclass(frozen=True)
class Artifact:
    """A model ready for a backend: format ("onnx", "torch"), precision, file and hash."""

    format: str
    precision: str
    inputs: tuple[TensorSpec, ...]
    path: Path | None = None
    sha256: str = ""
    size_bytes: int = 0
    cache_hit: bool = False
    module: Any = field(default=None, compare=False, repr=False)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def describe(self) -> dict[str, Any]:
        """Return the provenance fields that go into a run record."""
        return {
            "format": self.format,
            "precision": self.precision,
            "path": str(self.path) if self.path else None,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "cache_hit": self.cache_hit,
            **{k: v for k, v in self.meta.items()
               if isinstance(v, (str, int, float, bool)) or k in EXPORT_PROVENANCE},
        }

    def export_provenance(self) -> dict[str, Any]:
        """Return the EXPORT_PROVENANCE entries of meta (how the source graph was made)."""
        return {k: self.meta[k] for k in EXPORT_PROVENANCE if k in self.meta}
