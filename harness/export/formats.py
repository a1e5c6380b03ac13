"""Turn a loaded model into the fp32 artifact format a backend wants (via the registry)."""

from __future__ import annotations

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import UnsupportedError
from harness.export.onnx_export import export_onnx
from harness.export.onnx_file import onnx_file_artifact
from harness.export.registry import EXPORTERS
from harness.models.config import ModelConfig
from harness.models.source import LoadedModel


def torch_artifact(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the in-memory fp32 torch module as an artifact."""
    if model.module is None:
        raise UnsupportedError(f"'{model.name}' has no torch module.", "Use an ONNX backend.")
    return Artifact(format="torch", precision="fp32", inputs=model.inputs,
                    sha256=model.weights_sha256, module=model.module)


def onnx_artifact(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the fp32 ONNX artifact: the user's file as it is, else exported from torch."""
    if model.onnx_path is not None:
        return onnx_file_artifact(model, cfg, cache)
    return export_onnx(model, cfg, cache)


SOURCE_WORDS = {"onnx_file": "an ONNX file", "zoo": "a zoo model", "torch": "a torch module",
                "pt2": "a torch.export program", "torchscript": "TorchScript", "hf": "a HF model"}


def format_mismatch(model: LoadedModel, backend: str, formats: tuple[str, ...]) -> str | None:
    """Return why `backend` cannot take this model (none of its formats reachable), or None."""
    if any(model.can_become(f) for f in formats):
        return None
    what = SOURCE_WORDS.get(model.source, model.source)
    if model.module is None:
        need = "a torch model" if set(formats) & {"torch", "pte"} else " or ".join(formats)
        return f"backend {backend} needs {need}; this model is {what}"
    return f"backend {backend} needs a {' or '.join(formats)} artifact, which {what} cannot become"


def fp32_artifact(
    model: LoadedModel, formats: tuple[str, ...], cfg: ModelConfig, cache: ArtifactCache
) -> Artifact:
    """Return the fp32 artifact in the first of `formats` that has an exporter."""
    for fmt in formats:
        if fmt in EXPORTERS and model.can_become(fmt):
            return EXPORTERS.get(fmt)(model, cfg, cache)
    raise UnsupportedError(
        f"No exporter produces any of the formats {', '.join(formats)}.",
        f"Known formats: {', '.join(EXPORTERS)}. A plugin adds one by registering its exporter "
        "in the `harness.exporters` entry-point group (see README, Adding your accelerator).",
    )
