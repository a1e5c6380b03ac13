"""torch -> LiteRT .tflite with litert-torch (fp32), cached by content; or the user's .tflite."""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import HarnessError, ModelError, UnsupportedError
from harness.export.static_file import StaticFile, example, quiet_lowering
from harness.models.config import ModelConfig
from harness.models.source import LoadedModel

CONVERTER = "litert-torch"
INSTALL_HINT = ("Install LiteRT's torch converter beside torch without replacing it (README, "
                "LiteRT): pip install --no-deps litert-torch litert-converter, then its "
                "dependencies; or bring a .tflite file with model.source=tflite_file.")


def converter_version() -> str:
    """Return litert-torch's version; UnsupportedError with the install recipe if absent."""
    try:
        return version(CONVERTER)
    except PackageNotFoundError as exc:
        raise UnsupportedError("Converting a torch model to .tflite needs litert-torch, which "
                               "is not installed.", INSTALL_HINT) from exc


def library_versions() -> dict[str, str]:
    """Return the versions that change what the conversion writes."""
    return {"torch": torch.__version__, CONVERTER: converter_version(),
            "ai-edge-litert": version("ai-edge-litert")}


def _convert(made: tuple[torch.nn.Module, Any], args: tuple[torch.Tensor, ...], path: Path
             ) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import litert_torch

    module, quant_config = made
    edge = litert_torch.convert(module, args, quant_config=quant_config)
    edge.export(str(path))


def build_tflite(model: LoadedModel, recipe: str,
                 make: Callable[[], tuple[torch.nn.Module, Any]], path: Path,
                 error: type[HarnessError] = ModelError) -> dict[str, Any]:
    """Convert the (module, litert QuantConfig or None) `make` returns to `path`; return the
    conversion's metadata.

    Any failure of export, quantisation or conversion becomes `error` with the first line."""
    converter = f"{CONVERTER} {converter_version()}"
    quiet_lowering(("torch.export", "litert_torch", "torchao", "absl"),
                   f"Converting '{model.name}' ({recipe}) to .tflite with {converter}", error,
                   lambda: _convert(make(), example(model), path))
    return {"exporter": converter, "recipe": recipe, "static_batch": model.inputs[0].shape[0]}


#: The converted .tflite file: artifact format and cache kind "tflite", key "tflite-export/1".
TFLITE = StaticFile("tflite", "tflite-export/1", library_versions, build_tflite)


def user_file_artifact(model: LoadedModel) -> Artifact:
    """Return the user's .tflite file as it is, at the precision its tensors have."""
    path = model.tflite_path
    if path is None:
        raise ModelError(f"'{model.name}' has no .tflite file.", "Use model.source=tflite_file.")
    meta = {"exporter": "the user's file", "source_file": str(path),
            "source_sha256": model.provenance.get("file_sha256", "")}
    return Artifact(format="tflite", precision=str(model.provenance["file_precision"]),
                    inputs=model.inputs, path=path, sha256=str(meta["source_sha256"]),
                    size_bytes=path.stat().st_size, cache_hit=True, meta=meta)


def export_tflite(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the .tflite artifact: the user's file as it is, else the fp32 conversion (static
    batch = model.batch_size), converting unless cached."""
    if model.tflite_path is not None:
        return user_file_artifact(model)
    if model.module is None:
        raise UnsupportedError(f"'{model.name}' has no torch module to convert to .tflite.",
                               "Bring a .tflite file with model.source=tflite_file.")
    return TFLITE.cached(model, cache, "fp32", lambda: (model.module, None), ("fp32",))
