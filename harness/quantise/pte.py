"""int8 for ExecuTorch: torch's PT2E flow with the XNNPACK quantizer, then lowered to .pte."""

from __future__ import annotations

from typing import Any

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import QuantisationError
from harness.export.pte_export import PTE
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.pt2e import prepare_calibrated, quantised_file


def _imports() -> tuple[Any, Any, Any, Any]:
    """Return (XNNPACKQuantizer, get_symmetric_quantization_config, prepare, convert)."""
    try:
        from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
            XNNPACKQuantizer,
            get_symmetric_quantization_config,
        )
    except ImportError as exc:
        raise QuantisationError(
            "PT2E int8 needs ExecuTorch's XNNPACK quantizer, which is not installed.",
            "pip install executorch (it brings torchao's PT2E flow).",
        ) from exc
    try:
        from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    except ImportError:  # older stacks keep the flow in torch itself
        from torch.ao.quantization.quantize_pt2e import convert_pt2e, prepare_pt2e
    return XNNPACKQuantizer, get_symmetric_quantization_config, prepare_pt2e, convert_pt2e


def pt2e_quantise(model: LoadedModel, cfg: QuantConfig,
                  calib: CalibrationSet | None) -> torch.fx.GraphModule:
    """Return the model exported, calibrated (static) and converted to int8 QDQ by PT2E."""
    quantizer_cls, config_fn, prepare, convert = _imports()
    quantizer = quantizer_cls().set_global(config_fn(
        is_per_channel=cfg.per_channel, is_dynamic=cfg.recipe is Recipe.int8_dynamic))
    return convert(prepare_calibrated(model, cfg, calib, quantizer, prepare))


def quantise_pte(model: LoadedModel, fp32: Artifact, cfg: QuantConfig,
                 calib: CalibrationSet | None, cache: ArtifactCache) -> Artifact:
    """Return the .pte artifact for `cfg.recipe` (PT2E + XNNPACKQuantizer), built unless cached."""
    return quantised_file(PTE, "ExecuTorch/XNNPACK", model, fp32, cfg, calib, cache,
                          lambda: pt2e_quantise(model, cfg, calib))
