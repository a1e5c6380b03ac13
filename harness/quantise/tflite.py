"""int8 for LiteRT: PT2E with litert-torch's quantizer, converted to an integer .tflite; a
user's .tflite runs at the precision it already has."""

from __future__ import annotations

from typing import Any

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import QuantisationError
from harness.export.tflite_export import TFLITE
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.pt2e import prepare_calibrated, quantised_file


def _pt2e(model: LoadedModel, cfg: QuantConfig, calib: CalibrationSet | None
          ) -> tuple[torch.fx.GraphModule, Any]:
    """Return (the model exported, calibrated and converted by PT2E, litert's QuantConfig)."""
    from litert_torch.quantize import pt2e_quantizer
    from litert_torch.quantize.quant_config import QuantConfig as LiteRTQuantConfig
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantizer = pt2e_quantizer.PT2EQuantizer().set_global(
        pt2e_quantizer.get_symmetric_quantization_config(
            is_per_channel=cfg.per_channel, is_dynamic=cfg.recipe is Recipe.int8_dynamic))
    prepared = prepare_calibrated(model, cfg, calib, quantizer, prepare_pt2e)
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
    return quantised_file(TFLITE, "LiteRT conversion", model, fp32, cfg, calib, cache,
                          lambda: _pt2e(model, cfg, calib))
