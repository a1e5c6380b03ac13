"""Turn a loaded model into the fp32 artifact format a backend wants."""

from __future__ import annotations

from collections.abc import Callable

from harness.artifact import Artifact
from harness.cache import ArtifactCache
from harness.config import ModelConfig
from harness.errors import UnsupportedError
from harness.export.onnx_export import export_onnx
from harness.export.pte_export import export_pte
from harness.models.source import LoadedModel


def torch_artifact(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the in-memory fp32 torch module as an artifact."""
    return Artifact(format="torch", precision="fp32", inputs=model.inputs,
                    sha256=model.weights_sha256, module=model.module)


EXPORTERS: dict[str, Callable[[LoadedModel, ModelConfig, ArtifactCache], Artifact]] = {
    "onnx": export_onnx,
    "torch": torch_artifact,
    "pte": export_pte,
}


def fp32_artifact(
    model: LoadedModel, formats: tuple[str, ...], cfg: ModelConfig, cache: ArtifactCache
) -> Artifact:
    """Return the fp32 artifact in the first of `formats` that has an exporter."""
    for fmt in formats:
        if fmt in EXPORTERS:
            return EXPORTERS[fmt](model, cfg, cache)
    raise UnsupportedError(
        f"No exporter produces any of the formats {', '.join(formats)}.",
        f"Known formats: {', '.join(EXPORTERS)}; the backend plugin must add its exporter.",
    )
