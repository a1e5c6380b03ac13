"""Pick the recipe handler by (recipe, artifact format) and run it."""

from __future__ import annotations

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import UnsupportedError
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.onnx_recipes import quantise_onnx
from harness.quantise.pte import quantise_pte
from harness.quantise.torch_recipes import quantise_torch

NEEDS_CALIBRATION = frozenset({Recipe.int8_static, Recipe.int16_static})


def quantise(
    model: LoadedModel,
    fp32: Artifact,
    cfg: QuantConfig,
    calib: CalibrationSet | None,
    cache: ArtifactCache,
) -> Artifact:
    """Return `fp32` transformed by the recipe, in the same format."""
    if fp32.format == "torch":
        return quantise_torch(model, cfg, calib)
    if fp32.format == "pte":  # ExecuTorch: PT2E + XNNPACKQuantizer, lowered again
        return quantise_pte(model, fp32, cfg, calib, cache)
    if fp32.format != "onnx":
        raise UnsupportedError(
            f"No quantisation handler for '{fp32.format}' artifacts.",
            "Use an onnx or torch backend.",
        )
    if cfg.recipe is Recipe.fp32:
        return fp32
    return quantise_onnx(fp32, cfg, calib, cache)
