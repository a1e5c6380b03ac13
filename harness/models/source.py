"""Load a model from its configured source into one `LoadedModel` the rest of the run uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from harness import zoo
from harness.artifact import TensorSpec
from harness.cache import content_hash
from harness.config import ModelConfig, ModelSource
from harness.errors import ConfigError


@dataclass(frozen=True)
class LoadedModel:
    """A torch module in eval mode, its inputs (batch first), task, data set and weights hash."""

    name: str
    module: torch.nn.Module
    inputs: tuple[TensorSpec, ...]
    task: str
    num_classes: int | None
    dataset: zoo.Dataset | None
    weights_sha256: str
    parameter_count: int


def weights_hash(module: torch.nn.Module) -> str:
    """Return a sha256 over the module's class and every tensor in its state dict."""
    parts: list[object] = [type(module).__qualname__]
    for key, tensor in module.state_dict().items():
        data = tensor.detach().cpu().numpy().tobytes()
        parts += [key, str(tensor.dtype), list(tensor.shape), data]
    return content_hash(*parts)


def _dataset(cfg: ModelConfig, entry: zoo.ZooEntry) -> zoo.Dataset | None:
    """Return the user's data set when model.dataset_path is set, else the zoo's (if any)."""
    if cfg.dataset_path:
        from harness.accuracy.datasets import load_dataset

        return load_dataset(cfg.dataset_path, cfg.dataset_format, entry.input_shape)
    return entry.dataset()


def load_model(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Build the configured model; raises ConfigError for bad names or sizes."""
    if cfg.batch_size < 1:
        raise ConfigError(
            f"model.batch_size={cfg.batch_size} is not a valid batch size.",
            "Use a positive integer, e.g. model.batch_size=1.",
        )
    if cfg.source is not ModelSource.zoo:
        raise ConfigError(f"Model source '{cfg.source.value}' is not supported yet.", "Use zoo.")
    entry = zoo.get(cfg.name)
    module = entry.build(Path(cache_dir) / "zoo").eval()
    spec = TensorSpec(entry.input_name, (cfg.batch_size, *entry.input_shape), "float32")
    return LoadedModel(
        name=entry.name,
        module=module,
        inputs=(spec,),
        task=entry.task,
        num_classes=entry.num_classes,
        dataset=_dataset(cfg, entry),
        weights_sha256=weights_hash(module),
        parameter_count=sum(p.numel() for p in module.parameters()),
    )
