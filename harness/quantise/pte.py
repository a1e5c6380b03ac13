"""int8 for ExecuTorch: torch's PT2E flow with the XNNPACK quantizer, then lowered to .pte."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import QuantisationError, UnsupportedError
from harness.export.pte_export import build_pte, example, pte_artifact, pte_key
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe

PTE_RECIPES = frozenset({"int8_static", "int8_dynamic"})


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


def _calibrate(prepared: Any, model: LoadedModel, calib: CalibrationSet) -> None:
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


def pt2e_quantise(model: LoadedModel, cfg: QuantConfig,
                  calib: CalibrationSet | None) -> torch.fx.GraphModule:
    """Return the model exported, calibrated (static) and converted to int8 QDQ by PT2E."""
    quantizer_cls, config_fn, prepare, convert = _imports()
    dynamic = cfg.recipe is Recipe.int8_dynamic
    args = example(model)
    quantizer = quantizer_cls().set_global(config_fn(is_per_channel=cfg.per_channel,
                                                     is_dynamic=dynamic))
    prepared = prepare(torch.export.export(model.module, args).module(), quantizer)
    with torch.no_grad():
        if calib is not None and not dynamic:
            _calibrate(prepared, model, calib)
        else:
            prepared(*args)
    return convert(prepared)


def quantise_pte(model: LoadedModel, fp32: Artifact, cfg: QuantConfig,
                 calib: CalibrationSet | None, cache: ArtifactCache) -> Artifact:
    """Return the .pte artifact for `cfg.recipe` (PT2E + XNNPACKQuantizer), built unless cached."""
    if cfg.recipe is Recipe.fp32:
        return fp32
    if cfg.recipe.value not in PTE_RECIPES:
        raise UnsupportedError(f"ExecuTorch/XNNPACK has no '{cfg.recipe.value}' recipe here.",
                               f"Use quant= one of: fp32, {', '.join(sorted(PTE_RECIPES))}.")
    calib_hash = content_hash(*calib.key_parts()) if calib else ""
    key = pte_key(model, cfg.recipe.value, cfg.per_channel, calib_hash)
    cached = cache.get_or_build("pte", key, "model.pte", lambda p: build_pte(
        model, cfg.recipe.value, lambda: pt2e_quantise(model, cfg, calib), p, QuantisationError))
    meta = dict(cached.meta)
    if calib is not None:
        meta.update(calibration_source=calib.source, calibration_size=len(calib.inputs))
    return pte_artifact(cached, model, cfg.recipe.value, meta)
