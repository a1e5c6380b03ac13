"""Load a model from its configured source into one `LoadedModel` the rest of the run uses."""

from __future__ import annotations

from pathlib import Path

from harness import zoo
from harness.core.errors import ConfigError
from harness.models.budget import affordable_batches, check_activations
from harness.models.config import USER_TASKS, InputSpec, ModelConfig, ModelSource
from harness.models.datasets import load_dataset
from harness.models.loaded import LoadedModel, weights_hash
from harness.models.registry import MODEL_SOURCES
from harness.models.resolve import DeclaredInput, resolve_inputs
from harness.zoo.entry import RANDOM_WEIGHTS, RANDOM_WEIGHTS_NOTE

__all__ = ["LoadedModel", "load_model", "weights_hash"]


def _dataset(cfg: ModelConfig, entry: zoo.ZooEntry) -> zoo.Dataset | None:
    """Return the user's data set when model.dataset_path is set, else the zoo's (if any)."""
    if cfg.dataset_path:
        return load_dataset(cfg.dataset_path, cfg.dataset_format, entry.input_shape)
    return entry.dataset()


def load_zoo(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Return the zoo architecture `cfg.name` with its data set (if any)."""
    entry = zoo.get(cfg.name)
    inputs = entry.model_inputs()
    declared = [DeclaredInput(i.name, ("batch", *i.shape), i.dtype) for i in inputs]
    specs = resolve_inputs(declared, cfg.inputs, cfg.batch_size, entry.name)  # before building
    module = entry.build(Path(cache_dir) / "zoo").eval()
    fills = {i.name: InputSpec(low=i.low, high=i.high, value=i.value) for i in inputs
             if i.low is not None or i.value is not None}
    return LoadedModel(
        name=entry.name,
        module=module,
        inputs=specs,
        fills={**fills, **{n: f for n, f in cfg.inputs.items() if f.describe() != "default"}},
        task=entry.task,
        num_classes=entry.num_classes,
        dataset=_dataset(cfg, entry),
        weights_sha256=weights_hash(module),
        parameter_count=sum(p.numel() for p in module.parameters()),
        provenance=weights_fields(entry),
    )


def weights_fields(entry: zoo.ZooEntry) -> dict[str, str]:
    """Return record.model fields saying what the weights are (and, if random, what that means)."""
    fields = {"description": entry.description, "weights": entry.weights}
    if entry.weights == RANDOM_WEIGHTS:
        fields["weights_note"] = RANDOM_WEIGHTS_NOTE
    return fields


def load_model(cfg: ModelConfig, cache_dir: Path) -> LoadedModel:
    """Build the configured model; raises ConfigError/ModelError for bad names, sizes, files."""
    if cfg.batch_size < 1:
        raise ConfigError(
            f"model.batch_size={cfg.batch_size} is not a valid batch size.",
            "Use a positive integer, e.g. model.batch_size=1.",
        )
    if cfg.source is not ModelSource.zoo and cfg.task not in USER_TASKS:
        raise ConfigError(f"model.task={cfg.task} is not known.",
                          "Use one of: " + "; ".join(f"{k} ({v})" for k, v in USER_TASKS.items()))
    model = MODEL_SOURCES.get(cfg.source.value)(cfg, Path(cache_dir))
    affordable_batches(model.inputs, 1)  # refuse a batch too large to build before any work
    check_activations(model.module, model.inputs, model.dynamic_batch)
    return model
