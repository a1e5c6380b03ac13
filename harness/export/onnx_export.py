"""torch -> ONNX through the dynamo exporter, checked against torch and cached by content hash.

Transformer encoders (zoo.encoder.EncoderModule) export through the TorchScript-based exporter
with eager attention, which makes a graph as fast as optimum's on onnxruntime; onnxruntime's
transformer optimizer runs on it only with model.transformer_fusions=true (its fused graph was
slower on the CPU: docs/transformer_export.md). The record names the exporter and fusions."""

from __future__ import annotations

import logging
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import ModelError, reason_of
from harness.export.transformer_fusions import OPTIMIZER, fuse_transformer
from harness.models.config import ModelConfig
from harness.models.examples import example_tensors
from harness.models.source import LoadedModel
from harness.zoo.encoder import EXPORT_ATTENTION, EncoderModule

EXPORT_BATCH = 2  # a batch of 2 keeps the exporter from specialising the batch dimension to 1


def library_versions() -> dict[str, str]:
    """Return the versions that change what the exporter writes."""
    import onnxscript

    return {"torch": torch.__version__, "onnx": onnx.__version__,
            "onnxscript": onnxscript.__version__}


def _fusable(model: LoadedModel, cfg: ModelConfig) -> bool:
    """Return whether the transformer optimizer runs on this model's export."""
    module = model.module
    return cfg.transformer_fusions and isinstance(module, EncoderModule) and bool(module.shape)


def export_key(model: LoadedModel, cfg: ModelConfig) -> str:
    """Return the cache key: architecture, weights, input specs, export settings, versions."""
    specs = [(s.name, list(s.shape[1:]), s.dtype) for s in model.inputs]
    encoder = [EXPORT_ATTENTION, OPTIMIZER if _fusable(model, cfg) else None] if isinstance(
        model.module, EncoderModule) else None
    return content_hash(
        "onnx-export/2", model.name, model.weights_sha256, specs, cfg.opset, cfg.dynamic_batch,
        library_versions(), encoder,
    )


def _torch_export(model: LoadedModel, cfg: ModelConfig, path: Path,
                  example: tuple[torch.Tensor, ...], dynamic: bool) -> str:
    """Write the graph with torch.onnx; return which exporter (and attention) wrote it.

    TorchScript modules cannot go through torch.export; transformer encoders take the
    TorchScript-based exporter too, with eager attention: measured faster on onnxruntime than
    the dynamo exporter's graph (docs/transformer_export.md)."""
    names = [s.name for s in model.inputs]
    module = model.module
    if isinstance(module, torch.jit.ScriptModule | EncoderModule):
        axes = {s.name: {0: "batch"} for s in model.inputs if s.shape} if dynamic else None
        mode = module.export_mode() if isinstance(module, EncoderModule) else nullcontext("")
        with mode as attention:
            torch.onnx.export(module, example, str(path), dynamo=False,
                              opset_version=cfg.opset, input_names=names,
                              output_names=["output"], dynamic_axes=axes)
        return "torch.onnx torchscript" + (f" ({attention} attention)" if attention else "")
    dims = None
    if dynamic:
        batch_dim = torch.export.Dim("batch", min=1, max=65536)
        dims = tuple({0: batch_dim} if s.shape else None for s in model.inputs)
    torch.onnx.export(
        module, example, str(path), dynamo=True, opset_version=cfg.opset, input_names=names,
        output_names=["output"], dynamic_shapes=dims, verbose=False, external_data=False,
    )
    return "torch.onnx dynamo"


def _write(model: LoadedModel, cfg: ModelConfig, path: Path) -> dict[str, Any]:
    dynamic = cfg.dynamic_batch and model.dynamic_batch
    example = example_tensors(model, EXPORT_BATCH if dynamic else None)
    try:
        for name in ("onnxscript", "torch.onnx", "onnx_ir"):  # their INFO lines drown the table
            logging.getLogger(name).setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exporter = _torch_export(model, cfg, path, example, dynamic)
        onnx.checker.check_model(str(path), full_check=True)
        onnx.shape_inference.infer_shapes_path(str(path), str(path), check_type=True)
        plain = onnx.load(str(path))
    except Exception as exc:  # the exporter raises many types; all mean "this model did not export"
        raise ModelError(
            f"Exporting '{model.name}' to ONNX (opset {cfg.opset}) failed: {exc}".splitlines()[0],
            "Try another opset (model.opset=17) or check that the model is traceable by "
            "torch.export.",
        ) from exc
    meta: dict[str, Any] = {"fusions": {}} if isinstance(model.module, EncoderModule) else {}
    if _fusable(model, cfg):
        try:
            fused = fuse_transformer(path, model.module.shape)  # type: ignore[union-attr]
            onnx.checker.check_model(str(path))
            meta["fusions"], exporter = fused, f"{exporter} + {OPTIMIZER}"
        except Exception as exc:  # noqa: BLE001 - an optional rewrite: the plain graph stays
            onnx.save(plain, str(path))
            meta["fusions_skipped"] = f"{OPTIMIZER} failed: {reason_of(exc)}"
    written = onnx_opset(path)
    if written != cfg.opset:  # the dynamo exporter falls back to its own opset when it cannot
        raise ModelError(
            f"model.opset={cfg.opset} was asked for, but the exporter could only write opset "
            f"{written} for '{model.name}'.",
            f"Use model.opset={written} (torch.onnx's dynamo exporter supports opset 18 and "
            "newer; older opsets only when onnx's version converter can reach them).",
        )
    return {"opset": written, "exporter": exporter, **meta,
            "max_abs_diff_vs_torch": _check(model, path, example)}


def onnx_opset(path: Path) -> int:
    """Return the default-domain opset version an ONNX file imports."""
    model = onnx.load(str(path), load_external_data=False)
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


def _check(model: LoadedModel, path: Path, example: tuple[torch.Tensor, ...]) -> float:
    feeds = {s.name: t.numpy() for s, t in zip(model.inputs, example, strict=True)}
    expected = model.reference(feeds)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, feeds)
    return max(float(np.max(np.abs(np.asarray(g, np.float64) - np.asarray(e, np.float64)),
                            initial=0.0)) for g, e in zip(got, expected, strict=False))


def export_onnx(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the model's fp32 ONNX artifact, exporting it unless the cache already has it."""
    cached = cache.get_or_build(
        "onnx", export_key(model, cfg), "model.onnx", lambda p: _write(model, cfg, p)
    )
    diff = cached.meta["max_abs_diff_vs_torch"]
    if diff > cfg.export_atol * 100:
        raise ModelError(
            f"The ONNX export of '{model.name}' differs from torch by {diff:.3g} (max abs).",
            "The exporter changed the model's meaning; try another opset or report it.",
        )
    return Artifact(
        format="onnx", precision="fp32", inputs=model.inputs, path=cached.path,
        sha256=cached.sha256, size_bytes=cached.size_bytes, cache_hit=cached.hit, meta=cached.meta,
    )
