"""The artifact a run (or a server) uses: exported to the backend's format, then quantised."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from harness.config import BenchConfig
from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.export.formats import fp32_artifact
from harness.models.inputs import calibration_set
from harness.models.loaded import LoadedModel
from harness.quantise.apply import NEEDS_CALIBRATION, quantise

Phase = Callable[[str], AbstractContextManager]


def prepare_artifact(cfg: BenchConfig, model: LoadedModel, formats: tuple[str, ...],
                     phase: Phase = lambda name: nullcontext()) -> tuple[Artifact, list[int]]:
    """Return (the artifact at cfg.quant, the calibration indices used), cached by content."""
    cache = ArtifactCache(Path(cfg.cache_dir))
    with phase("export"):
        fp32 = fp32_artifact(model, formats, cfg.model, cache)
    calib = None
    if cfg.quant.recipe in NEEDS_CALIBRATION:
        calib = calibration_set(model, cfg.quant.calibration_size, cfg.seed)
    with phase("quantise"):
        artifact = quantise(model, fp32, cfg.quant, calib, cache, cfg.target.backend)
    return artifact, calib.indices if calib else []


def fixed_inputs(model: LoadedModel, artifact: Artifact) -> dict[str, np.ndarray]:
    """Return the inputs the run fixes by value (model.inputs.NAME.value), as the artifact's
    shape and dtype: what a backend may fold into the graph (Backend.prepare)."""
    fills = model.fills
    return {s.name: np.full(s.shape, fills[s.name].value, dtype=s.dtype) for s in artifact.inputs
            if s.name in fills and fills[s.name].value is not None}
