"""Pick the quantiser for the artifact's format from the registry and run the recipe."""

from __future__ import annotations

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import UnsupportedError
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.registry import QUANTISERS

NEEDS_CALIBRATION = frozenset({Recipe.int8_static, Recipe.int16_static})


def quantise(
    model: LoadedModel,
    fp32: Artifact,
    cfg: QuantConfig,
    calib: CalibrationSet | None,
    cache: ArtifactCache,
) -> Artifact:
    """Return `fp32` transformed by the recipe, in the same format."""
    if str(fp32.format) not in QUANTISERS:
        raise UnsupportedError(
            f"No quantiser is registered for '{fp32.format}' artifacts.",
            f"Formats with a quantiser: {', '.join(QUANTISERS)}; a plugin adds one in the "
            "`harness.quantisers` entry-point group.")
    return QUANTISERS.get(str(fp32.format))(model, fp32, cfg, calib, cache)
