"""torch -> ExecuTorch .pte with the XNNPACK delegate (fp32, or int8 through PT2E), cached."""

from __future__ import annotations

import logging
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import ModelError, QuantisationError, UnsupportedError
from harness.models.config import ModelConfig
from harness.models.examples import example_tensors
from harness.models.inputs import CalibrationSet
from harness.models.source import LoadedModel
from harness.quantise.config import QuantConfig, Recipe

DELEGATE = "XnnpackBackend"
PTE_RECIPES = frozenset({"int8_static", "int8_dynamic"})


def library_versions() -> dict[str, str]:
    """Return the versions that change what the lowering writes."""
    return {"torch": torch.__version__, "executorch": version("executorch"),
            "torchao": version("torchao")}


def _example(model: LoadedModel) -> tuple[torch.Tensor, ...]:
    return example_tensors(model, None)  # static shapes: the batch is model.batch_size


def _quantised(model: LoadedModel, cfg: QuantConfig, calib: CalibrationSet | None,
               example: tuple[torch.Tensor, ...]) -> torch.nn.Module:
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer,
        get_symmetric_quantization_config,
    )
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    dynamic = cfg.recipe is Recipe.int8_dynamic
    quantizer = XNNPACKQuantizer().set_global(get_symmetric_quantization_config(
        is_per_channel=cfg.per_channel, is_dynamic=dynamic))
    prepared = prepare_pt2e(torch.export.export(model.module, example).module(), quantizer)
    if calib is not None and not dynamic and len(model.inputs) == 1:
        batch = model.inputs[0].shape[0]
        for start in range(0, len(calib.inputs) - batch + 1, batch):
            prepared(torch.from_numpy(calib.inputs[start : start + batch]))
    elif calib is not None and not dynamic:  # several inputs: the feeds of the static shape
        for feed in calib.batches():
            args = [torch.from_numpy(np.asarray(feed[s.name])) for s in model.inputs]
            if all(tuple(a.shape) == s.shape for a, s in zip(args, model.inputs, strict=True)):
                prepared(*args)
    else:
        prepared(*example)
    return convert_pt2e(prepared)


def _lower(module: torch.nn.Module, example: tuple[torch.Tensor, ...], path: Path
           ) -> dict[str, Any]:
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.devtools.backend_debug import get_delegation_info
    from executorch.exir import to_edge_transform_and_lower

    edge = to_edge_transform_and_lower(torch.export.export(module, example),
                                       partitioner=[XnnpackPartitioner()])
    info = get_delegation_info(edge.exported_program().graph_module)
    path.write_bytes(edge.to_executorch().buffer)
    return {"delegate": DELEGATE, "delegated_nodes": info.num_delegated_nodes,
            "non_delegated_nodes": info.num_non_delegated_nodes}


def _build(model: LoadedModel, qcfg: QuantConfig | None, calib: CalibrationSet | None,
           path: Path) -> dict[str, Any]:
    example = _example(model)
    recipe = qcfg.recipe.value if qcfg else "fp32"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in ("torch.export", "executorch", "torchao"):
                logging.getLogger(name).setLevel(logging.WARNING)
            module = model.module if qcfg is None else _quantised(model, qcfg, calib, example)
            meta = _lower(module, example, path)
    except Exception as exc:  # export, quantisation and lowering raise many unrelated types
        error = ModelError if qcfg is None else QuantisationError
        raise error(f"Lowering '{model.name}' ({recipe}) to ExecuTorch/XNNPACK failed: "
                    f"{exc}".splitlines()[0],
                    "Check the model exports with torch.export, or use the onnxruntime backend."
                    ) from exc
    return {**meta, "recipe": recipe, "static_batch": model.inputs[0].shape[0]}


def _key(model: LoadedModel, *parts: Any) -> str:
    specs = [(s.name, list(s.shape), s.dtype) for s in model.inputs]  # static: batch included
    return content_hash("pte-export/1", model.name, model.weights_sha256, specs,
                        library_versions(), *parts)


def export_pte(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the fp32 .pte artifact (static batch = model.batch_size), lowering unless cached."""
    key = _key(model, "fp32")
    cached = cache.get_or_build("pte", key, "model.pte", lambda p: _build(model, None, None, p))
    return Artifact(format="pte", precision="fp32", inputs=model.inputs, path=cached.path,
                    sha256=cached.sha256, size_bytes=cached.size_bytes, cache_hit=cached.hit,
                    meta=dict(cached.meta))


def quantise_pte(model: LoadedModel, fp32: Artifact, cfg: QuantConfig,
                 calib: CalibrationSet | None, cache: ArtifactCache) -> Artifact:
    """Return the .pte artifact for `cfg.recipe` (PT2E + XNNPACKQuantizer), built unless cached."""
    if cfg.recipe is Recipe.fp32:
        return fp32
    if cfg.recipe.value not in PTE_RECIPES:
        raise UnsupportedError(f"ExecuTorch/XNNPACK has no '{cfg.recipe.value}' recipe here.",
                               f"Use quant= one of: fp32, {', '.join(sorted(PTE_RECIPES))}.")
    calib_hash = content_hash(*calib.key_parts()) if calib else ""
    key = _key(model, cfg.recipe.value, cfg.per_channel, calib_hash)
    cached = cache.get_or_build("pte", key, "model.pte", lambda p: _build(model, cfg, calib, p))
    meta = dict(cached.meta)
    if calib is not None:
        meta.update(calibration_source=calib.source, calibration_size=len(calib.inputs))
    return Artifact(format="pte", precision=cfg.recipe.value, inputs=model.inputs,
                    path=cached.path, sha256=cached.sha256, size_bytes=cached.size_bytes,
                    cache_hit=cached.hit, meta=meta)
