"""torch -> ExecuTorch .pte with the XNNPACK delegate: the fp32 lowering, cached by content."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import HarnessError, ModelError
from harness.models.config import ModelConfig
from harness.models.examples import example_tensors
from harness.models.source import LoadedModel

DELEGATE = "XnnpackBackend"


def library_versions() -> dict[str, str]:
    """Return the versions that change what the lowering writes."""
    return {"torch": torch.__version__, "executorch": version("executorch"),
            "torchao": version("torchao")}


def example(model: LoadedModel) -> tuple[torch.Tensor, ...]:
    """Return example tensors of the model's static shapes (the batch is model.batch_size)."""
    return example_tensors(model, None)


def _lower(module: torch.nn.Module, example_args: tuple[torch.Tensor, ...], path: Path
           ) -> dict[str, Any]:
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.devtools.backend_debug import get_delegation_info
    from executorch.exir import to_edge_transform_and_lower

    edge = to_edge_transform_and_lower(torch.export.export(module, example_args),
                                       partitioner=[XnnpackPartitioner()])
    info = get_delegation_info(edge.exported_program().graph_module)
    path.write_bytes(edge.to_executorch().buffer)
    return {"delegate": DELEGATE, "delegated_nodes": info.num_delegated_nodes,
            "non_delegated_nodes": info.num_non_delegated_nodes}


def build_pte(model: LoadedModel, recipe: str, make_module: Callable[[], torch.nn.Module],
              path: Path, error: type[HarnessError] = ModelError) -> dict[str, Any]:
    """Lower the module `make_module` returns to `path`; return the lowering's metadata.

    Any failure of export, quantisation or lowering becomes `error` with the first line."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in ("torch.export", "executorch", "torchao"):
                logging.getLogger(name).setLevel(logging.WARNING)
            meta = _lower(make_module(), example(model), path)
    except HarnessError:
        raise
    except Exception as exc:  # export, quantisation and lowering raise many unrelated types
        raise error(f"Lowering '{model.name}' ({recipe}) to ExecuTorch/XNNPACK failed: "
                    f"{exc}".splitlines()[0],
                    "Check the model exports with torch.export, or use the onnxruntime backend."
                    ) from exc
    return {**meta, "recipe": recipe, "static_batch": model.inputs[0].shape[0]}


def pte_key(model: LoadedModel, *parts: Any) -> str:
    """Return the cache key of a .pte built from `model` with the settings in `parts`."""
    specs = [(s.name, list(s.shape), s.dtype) for s in model.inputs]  # static: batch included
    return content_hash("pte-export/1", model.name, model.weights_sha256, specs,
                        library_versions(), *parts)


def pte_artifact(cached: Any, model: LoadedModel, precision: str,
                 meta: dict[str, Any] | None = None) -> Artifact:
    """Return the Artifact for a cached .pte file."""
    return Artifact(format="pte", precision=precision, inputs=model.inputs, path=cached.path,
                    sha256=cached.sha256, size_bytes=cached.size_bytes, cache_hit=cached.hit,
                    meta=dict(cached.meta) if meta is None else meta)


def export_pte(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the fp32 .pte artifact (static batch = model.batch_size), lowering unless cached."""
    cached = cache.get_or_build("pte", pte_key(model, "fp32"), "model.pte",
                                lambda p: build_pte(model, "fp32", lambda: model.module, p))
    return pte_artifact(cached, model, "fp32")
