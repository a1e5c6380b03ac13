"""What the torch -> .pte and torch -> .tflite exporters share: example tensors at the static
shapes, a quiet lowering whose failures become one typed error, and the content-keyed file."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache, content_hash
from harness.core.errors import HarnessError, ModelError
from harness.models.examples import example_tensors
from harness.models.source import LoadedModel

T = TypeVar("T")
#: build(model, recipe, make, path, error): writes what `make()` returns to `path`, returns meta.
Builder = Callable[[LoadedModel, str, Callable[[], Any], Path, type[HarnessError]],
                   dict[str, Any]]


def example(model: LoadedModel) -> tuple[torch.Tensor, ...]:
    """Return example tensors of the model's static shapes (the batch is model.batch_size)."""
    return example_tensors(model, None)


def quiet_lowering(loggers: tuple[str, ...], doing: str, error: type[HarnessError],
                   lower: Callable[[], T]) -> T:
    """Return `lower()` run with warnings off and `loggers` at WARNING; any failure but a
    HarnessError becomes `error` saying "`doing` failed:" with the first line of the cause."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in loggers:
                logging.getLogger(name).setLevel(logging.WARNING)
            return lower()
    except HarnessError:
        raise
    except Exception as exc:  # export, quantisation and lowering raise many unrelated types
        raise error(f"{doing} failed: {exc}".splitlines()[0],
                    "Check the model exports with torch.export, or use the onnxruntime backend."
                    ) from exc


@dataclass(frozen=True)
class StaticFile:
    """A file format lowered from torch at the model's static shapes, cached by content."""

    fmt: str  # the artifact format, the cache kind and the file's suffix ("pte")
    key_tag: str  # the cache key's first part ("pte-export/1"); bump it when the file changes
    versions: Callable[[], dict[str, str]]  # the library versions that change what is written
    build: Builder

    def key(self, model: LoadedModel, *parts: Any) -> str:
        """Return the cache key of a file built from `model` with the settings in `parts`."""
        specs = [(s.name, list(s.shape), s.dtype) for s in model.inputs]  # static: batch included
        return content_hash(self.key_tag, model.name, model.weights_sha256, specs,
                            self.versions(), *parts)

    def cached(self, model: LoadedModel, cache: ArtifactCache, recipe: str,
               make: Callable[[], Any], key_parts: tuple[Any, ...],
               error: type[HarnessError] = ModelError,
               meta: dict[str, Any] | None = None) -> Artifact:
        """Return the artifact (precision `recipe`) of what `make()` returns, built unless the
        cache holds it under `key_parts`; `meta` is added to the build's metadata."""
        found = cache.get_or_build(self.fmt, self.key(model, *key_parts), f"model.{self.fmt}",
                                   lambda path: self.build(model, recipe, make, path, error))
        return Artifact(format=self.fmt, precision=recipe, inputs=model.inputs, path=found.path,
                        sha256=found.sha256, size_bytes=found.size_bytes, cache_hit=found.hit,
                        meta={**found.meta, **(meta or {})})
