"""torch-side recipes for the torch backend: eager int8 via FX graph mode (real int8 kernels)."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable

import numpy as np
import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import QuantisationError
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.recipes import recipe_handler, recipes_for

ENGINE = "x86"  # fbgemm + onednn kernels; the engine torch picks on x86 CPUs


def fp32_module(module: torch.nn.Module, calib: CalibrationSet | None) -> torch.nn.Module:
    """Return the module unchanged (the fp32 recipe)."""
    return module


def fx_static_module(module: torch.nn.Module, calib: CalibrationSet | None) -> torch.nn.Module:
    """Return an int8 copy of the module from FX graph-mode static quantisation."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    if calib is None:
        raise QuantisationError("int8_static on torch needs calibration data.",
                                "Set quant.calibration_size to a positive number.")
    torch.backends.quantized.engine = ENGINE
    feeds = [tuple(torch.from_numpy(np.asarray(v)) for v in f.values()) for f in calib.batches()]
    prepared = prepare_fx(copy.deepcopy(module), get_default_qconfig_mapping(ENGINE), feeds[0])
    with torch.inference_mode():
        for args in feeds:
            prepared(*args)
    return convert_fx(prepared)


def dynamic_module(module: torch.nn.Module, calib: CalibrationSet | None) -> torch.nn.Module:
    """Return a copy of the module with dynamically quantised int8 Linear layers."""
    from torch.ao.quantization import quantize_dynamic

    return quantize_dynamic(copy.deepcopy(module), {torch.nn.Linear}, dtype=torch.qint8)


Handler = Callable[[torch.nn.Module, CalibrationSet | None], torch.nn.Module]


def _module(model: LoadedModel) -> torch.nn.Module:
    if model.module is None:
        raise QuantisationError(f"'{model.name}' has no torch module to quantise.",
                                "Use an ONNX backend for this model.")
    if isinstance(model.module, torch.jit.ScriptModule):
        raise QuantisationError(f"torch FX cannot quantise TorchScript ('{model.name}').",
                                "Use quant=fp32 on torch, or an ONNX target (cpu, openvino_cpu) "
                                "for int8.")
    return model.module


def quantise_torch(model: LoadedModel, fp32: Artifact, cfg: QuantConfig,
                   calib: CalibrationSet | None, cache: ArtifactCache | None = None) -> Artifact:
    """Return a torch-format artifact holding the module for `cfg.recipe` (built in memory)."""
    handler: Handler = recipe_handler(
        "torch", cfg.recipe.value, f"Use an onnxruntime target for it; torch supports "
        f"{', '.join(recipes_for('torch'))}.")
    if cfg.recipe is not Recipe.fp32:
        _module(model)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization announces its deprecation
            module = handler(model.module, calib)
    except QuantisationError:
        raise
    except Exception as exc:  # FX tracing and conversion raise many exception types
        raise QuantisationError(
            f"torch FX recipe '{cfg.name}' failed on '{model.name}': {exc}".splitlines()[0],
            "Use the onnxruntime backend for this recipe, or quant=fp32 on torch.",
        ) from exc
    meta = {"recipe": cfg.name, "engine": ENGINE if cfg.recipe is not Recipe.fp32 else ""}
    if calib is not None and cfg.recipe is Recipe.int8_static:
        meta.update(calibration_source=calib.source, calibration_size=len(calib.inputs))
    return Artifact(
        format="torch", precision=cfg.recipe.value, inputs=model.inputs,
        sha256=content_hash("torch-module", model.weights_sha256, cfg.name), module=module,
        meta=meta,
    )
