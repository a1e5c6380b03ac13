"""Pick the quantiser for the artifact's format from the registry and run the recipe."""

from __future__ import annotations

from dataclasses import replace

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import UnsupportedError
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.defaults import resolve
from harness.quantise.registry import QUANTISERS

NEEDS_CALIBRATION = frozenset({Recipe.int8_static, Recipe.int16_static})


def quantise(
    model: LoadedModel,
    fp32: Artifact,
    cfg: QuantConfig,
    calib: CalibrationSet | None,
    cache: ArtifactCache,
    backend: str | None = None,
) -> Artifact:
    """Return `fp32` transformed by the recipe, in the same format; `auto` settings are chosen
    for `backend` (harness/quantise/defaults.py) and the choice kept in the artifact's meta."""
    if str(fp32.format) not in QUANTISERS:
        raise UnsupportedError(
            f"No quantiser is registered for '{fp32.format}' artifacts.",
            f"Formats with a quantiser: {', '.join(QUANTISERS)}; a plugin adds one in the "
            "`harness.quantisers` entry-point group.")
    resolved, why = resolve(cfg, backend)
    artifact = QUANTISERS.get(str(fp32.format))(model, fp32, resolved, calib, cache)
    if why is None or str(fp32.format) != "onnx":
        return artifact
    return replace(artifact, meta={**artifact.meta, "int8_defaults": why})
