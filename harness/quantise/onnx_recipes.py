"""The ONNX quantiser: runs the recipe's handler (harness.recipes `onnx.*`) once, cached by
content hash."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import onnxruntime as ort

from harness.core.artifact import Artifact, TensorSpec
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import HarnessError, QuantisationError, reason_of
from harness.core.host import default_reduce_range, has_vnni
from harness.models.inputs import CalibrationSet
from harness.models.loaded import LoadedModel
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.job import OnnxJob
from harness.quantise.prequantised import refuse_prequantised
from harness.quantise.recipes import recipe_handler, recipes_for

Handler = Callable[[OnnxJob], dict[str, Any]]


def settings(cfg: QuantConfig) -> dict[str, Any]:
    """Return cfg as plain JSON values (enums by value), reduce_range resolved, name dropped."""
    out = {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(cfg).items()}
    if out["reduce_range"] is None:
        out["reduce_range"] = default_reduce_range()
    out.pop("name")
    return out


def _reduce_range_source(cfg: QuantConfig) -> str:
    if cfg.reduce_range is not None:
        return "config"
    return "cpu: VNNI/AMX present" if has_vnni() else "cpu: no VNNI (7-bit weights avoid overflow)"


def _quantiser_fix(cfg: QuantConfig) -> str:
    """Return what to do when cfg's quantiser has no handler: the quantisers its recipe has."""
    prefix = f"{cfg.recipe.value}."
    others = [n.removeprefix(prefix) for n in recipes_for("onnx") if n.startswith(prefix)]
    return (f"quant.quantiser for {cfg.recipe.value}: onnxruntime"
            + "".join(f", {name}" for name in others)
            + " (nncf needs `pip install -e '.[nncf]'`).")


def _handler_name(cfg: QuantConfig) -> str:
    """Return the registry name of cfg's handler: the recipe, then a quantiser other than ORT."""
    return (cfg.recipe.value if cfg.quantiser == "onnxruntime"
            else f"{cfg.recipe.value}.{cfg.quantiser}")


def _input_specs(fp32: Artifact, cfg: QuantConfig) -> tuple[TensorSpec, ...]:
    if cfg.recipe is Recipe.fp16 and not cfg.keep_io_types:
        return tuple(TensorSpec(s.name, s.shape, "float16") for s in fp32.inputs)
    return fp32.inputs


def quantise_onnx(model: LoadedModel, fp32: Artifact, cfg: QuantConfig,
                  calib: CalibrationSet | None, cache: ArtifactCache) -> Artifact:
    """Return the ONNX artifact for `cfg.recipe` (fp32 as it is), building it unless cached."""
    if cfg.recipe is Recipe.fp32:
        return fp32
    handler: Handler = recipe_handler("onnx", _handler_name(cfg), _quantiser_fix(cfg))
    opts = settings(cfg)
    calib_hash = content_hash(*calib.key_parts()) if calib else ""
    key = content_hash("onnx-quant/4", fp32.sha256, opts, calib_hash, ort.__version__)

    def build(path: Path) -> dict[str, Any]:
        logging.getLogger("root").setLevel(logging.WARNING)  # onnxruntime.quantization is chatty
        if cfg.recipe is not Recipe.fp16:
            refuse_prequantised(fp32.path, cfg.name, model.name)
        job = OnnxJob(fp32.path, path, cfg, calib, fp32.inputs[0].name, opts["reduce_range"],
                      cache.root / "calib")
        try:
            extra = handler(job)
        except HarnessError:
            raise
        except Exception as exc:  # onnxruntime.quantization raises bare exceptions of many kinds
            reason = reason_of(exc)
            raise QuantisationError(
                f"Recipe '{cfg.name}' ({cfg.recipe.value}) failed on this model: "
                f"{type(exc).__name__}: {reason}",
                "Exclude the failing nodes (quant.nodes_to_exclude=[...]) or pick another recipe.",
            ) from exc
        return {"recipe": cfg.name, **opts, "reduce_range_source": _reduce_range_source(cfg),
                **extra}

    cached = cache.get_or_build("quant", key, "model.onnx", build)
    meta = {**fp32.export_provenance(), **cached.meta, "recipe": cfg.name}  # not the builder's
    if calib is not None:
        meta.update(calibration_source=calib.source, calibration_size=len(calib.inputs))
    return Artifact(
        format="onnx", precision=cfg.recipe.value, inputs=_input_specs(fp32, cfg),
        path=cached.path, sha256=cached.sha256, size_bytes=cached.size_bytes,
        cache_hit=cached.hit, meta=meta,
    )
