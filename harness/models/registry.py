"""The model-source registry: `model.source` -> function loading the model it names.

Built-ins and plugins register in the `harness.model_sources` entry-point group. A source is
called as `load(model_config, cache_dir) -> LoadedModel`."""

from __future__ import annotations

from harness.core.registry import Registry

MODEL_SOURCES: Registry = Registry("model source", None, group="harness.model_sources")
