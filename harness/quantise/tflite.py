"""int8 for LiteRT: PT2E with litert-torch's quantizer, converted to an integer .tflite; a
user's .tflite runs at the precision it already has."""

from __future__ import annotations

from typing import Any

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import QuantisationError, UnsupportedError
from harness.export.tflite_export import build_tflite, example, tflite_artifact, tflite_key
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.pte import _calibrate  # the same whole-static-batch calibration loop

TFLITE_RECIPES = frozenset({"int8_static", "int8_dynamic"})


def _pt2e(model: LoadedModel, cfg: QuantConfig, calib: CalibrationSet | None
          ) -> tuple[torch.fx.GraphModule, Any]:
    """Return (the model exported, calibrated and converted by PT2E, litert's QuantConfig)."""
    from litert_torch.quantize import pt2e_quantizer
    from litert_torch.quantize.quant_config import QuantConfig as LiteRTQuantConfig
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    dynamic = cfg.recipe is Recipe.int8_dynamic
    quantizer = pt2e_quantizer.PT2EQuantizer().set_global(
        pt2e_quantizer.get_symmetric_quantization_config(is_per_channel=cfg.per_channel,
                                                         is_dynamic=dynamic))
    args = example(model)
    prepared = prepare_pt2e(torch.export.export(model.module, args).module(), quantizer)
    with torch.no_grad():
        if calib is not None and not dynamic:
            _calibrate(prepared, model, calib)
        else:
            prepared(*args)
    return convert_pt2e(prepared, fold_quantize=False), LiteRTQuantConfig(pt2e_quantizer=quantizer)


def _user_file(fp32: Artifact, cfg: QuantConfig) -> Artifact:
    """Return the user's file when quant= names the precision it has; refuse anything else."""
    if cfg.recipe.value == fp32.precision:
        return fp32
    raise QuantisationError(
        f"The .tflite file is {fp32.precision}; quant={cfg.recipe.value} would need it "
        "converted again, which the harness does not do to a file you bring.",
        f"Run it as it is with quant={fp32.precision}, or bring the torch model and let the "
        "harness convert and quantise it (model.source=torch, extra litert-torch).")


def quantise_tflite(model: LoadedModel, fp32: Artifact, cfg: QuantConfig,
                    calib: CalibrationSet | None, cache: ArtifactCache) -> Artifact:
    """Return the .tflite artifact for `cfg.recipe` (PT2E + litert-torch), built unless cached."""
    if model.tflite_path is not None:
        return _user_file(fp32, cfg)
    if cfg.recipe is Recipe.fp32:
        return fp32
    if cfg.recipe.value not in TFLITE_RECIPES:
        raise UnsupportedError(f"LiteRT conversion has no '{cfg.recipe.value}' recipe here.",
                               f"Use quant= one of: fp32, {', '.join(sorted(TFLITE_RECIPES))}.")
    calib_hash = content_hash(*calib.key_parts()) if calib else ""
    key = tflite_key(model, cfg.recipe.value, cfg.per_channel, calib_hash)
    cached = cache.get_or_build("tflite", key, "model.tflite", lambda p: build_tflite(
        model, cfg.recipe.value, lambda: _pt2e(model, cfg, calib), p, QuantisationError))
    meta = dict(cached.meta)
    if calib is not None:
        meta.update(calibration_source=calib.source, calibration_size=len(calib.inputs))
    return tflite_artifact(cached, model, cfg.recipe.value, meta)
