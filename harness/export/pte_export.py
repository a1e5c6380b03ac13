"""torch -> ExecuTorch .pte with the XNNPACK delegate: the fp32 lowering, cached by content."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import HarnessError, ModelError
from harness.export.static_file import StaticFile, example, quiet_lowering
from harness.models.config import ModelConfig
from harness.models.source import LoadedModel

DELEGATE = "XnnpackBackend"


def library_versions() -> dict[str, str]:
    """Return the versions that change what the lowering writes."""
    return {"torch": torch.__version__, "executorch": version("executorch"),
            "torchao": version("torchao")}


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
    meta = quiet_lowering(("torch.export", "executorch", "torchao"),
                          f"Lowering '{model.name}' ({recipe}) to ExecuTorch/XNNPACK", error,
                          lambda: _lower(make_module(), example(model), path))
    return {**meta, "recipe": recipe, "static_batch": model.inputs[0].shape[0]}


#: The .pte file: artifact format and cache kind "pte", key "pte-export/1".
PTE = StaticFile("pte", "pte-export/1", library_versions, build_pte)


def export_pte(model: LoadedModel, cfg: ModelConfig, cache: ArtifactCache) -> Artifact:
    """Return the fp32 .pte artifact (static batch = model.batch_size), lowering unless cached."""
    return PTE.cached(model, cache, "fp32", lambda: model.module, ("fp32",))
