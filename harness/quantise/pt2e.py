"""PT2E int8 shared by ExecuTorch and LiteRT: calibration over whole static batches, and the
recipe check, cache key and calibration meta of a quantised static-shape file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import QuantisationError, UnsupportedError
from harness.export.static_file import StaticFile, example
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe

#: The int8 recipes PT2E gives both formats.
PT2E_RECIPES = frozenset({"int8_static", "int8_dynamic"})


def calibrate(prepared: Any, model: LoadedModel, calib: CalibrationSet) -> None:
    """Run whole calibration batches of the model's static shapes through `prepared`."""
    if len(model.inputs) == 1:
        batch = model.inputs[0].shape[0]
        if len(calib.inputs) < batch:
            raise QuantisationError(
                f"PT2E int8 needs at least {batch} calibration samples (the static batch); "
                f"got {len(calib.inputs)}.", "Raise quant.calibration_size.")
        for start in range(0, len(calib.inputs) - batch + 1, batch):
            prepared(torch.from_numpy(np.ascontiguousarray(calib.inputs[start:start + batch])))
        return
    for feed in calib.batches():  # several inputs: the feeds of the static shape
        args = [torch.from_numpy(np.asarray(feed[s.name])) for s in model.inputs]
        if all(tuple(a.shape) == s.shape for a, s in zip(args, model.inputs, strict=True)):
            prepared(*args)


def prepare_calibrated(model: LoadedModel, cfg: QuantConfig, calib: CalibrationSet | None,
                       quantizer: Any, prepare: Callable[[Any, Any], Any]) -> Any:
    """Return the model exported, prepared for `quantizer`, and run on the calibration set
    (static recipe) or once on example tensors (dynamic, or no calibration set)."""
    args = example(model)
    prepared = prepare(torch.export.export(model.module, args).module(), quantizer)
    with torch.no_grad():
        if calib is not None and cfg.recipe is not Recipe.int8_dynamic:
            calibrate(prepared, model, calib)
        else:
            prepared(*args)
    return prepared


def quantised_file(target: StaticFile, runtime: str, model: LoadedModel, fp32: Artifact,
                   cfg: QuantConfig, calib: CalibrationSet | None, cache: ArtifactCache,
                   make: Callable[[], Any]) -> Artifact:
    """Return `fp32` for quant=fp32, else the `target` file of what `make()` returns, built
    unless cached; UnsupportedError naming `runtime` for a recipe PT2E does not give."""
    if cfg.recipe is Recipe.fp32:
        return fp32
    if cfg.recipe.value not in PT2E_RECIPES:
        raise UnsupportedError(f"{runtime} has no '{cfg.recipe.value}' recipe here.",
                               f"Use quant= one of: fp32, {', '.join(sorted(PT2E_RECIPES))}.")
    calib_hash = content_hash(*calib.key_parts()) if calib else ""
    meta = ({} if calib is None else
            {"calibration_source": calib.source, "calibration_size": len(calib.inputs)})
    return target.cached(model, cache, cfg.recipe.value, make,
                         (cfg.recipe.value, cfg.per_channel, calib_hash), QuantisationError, meta)
