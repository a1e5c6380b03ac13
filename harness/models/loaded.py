"""The model a run works on, whatever its source: specs, fills, reference and provenance."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from harness.core.artifact import TensorSpec
from harness.core.cache import content_hash
from harness.models.config import InputSpec
from harness.zoo.entry import Dataset

Reference = Callable[[dict[str, np.ndarray]], list[np.ndarray]]


def torch_reference(module: torch.nn.Module, specs: tuple[TensorSpec, ...]) -> Reference:
    """Return a function running `module` on one feed (inputs in spec order) -> host outputs."""

    def run(feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        args = [torch.from_numpy(np.ascontiguousarray(feed[s.name])) for s in specs]
        with torch.inference_mode():
            out = module(*args)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [o.detach().cpu().numpy() for o in outs]

    return run


def lazy_reference(open_runtime: Callable[[], Any],
                   run: Callable[[Any, dict[str, np.ndarray]], list[np.ndarray]]) -> Reference:
    """Return a function running one feed with `run(runtime, feed)`; the runtime is opened by
    `open_runtime()` on first use and kept (a model that is never judged opens nothing)."""
    opened: list[Any] = []

    def reference(feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        if not opened:
            opened.append(open_runtime())
        return run(opened[0], feed)

    return reference


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to export and judge: module (None for ONNX files), inputs, task, data.

    `formats`: artifact formats this model can become; `onnx_path`: an ONNX file source's
    checked file; `fills`: per-input fill settings; `provenance`: source fields for the record.
    """

    name: str
    module: torch.nn.Module | None
    inputs: tuple[TensorSpec, ...]
    task: str
    num_classes: int | None
    dataset: Dataset | None
    weights_sha256: str
    parameter_count: int
    source: str = "zoo"
    fills: Mapping[str, InputSpec] = field(default_factory=dict)
    dynamic_batch: bool = True
    formats: frozenset[str] | None = None  # None: any format an exporter makes
    onnx_path: Path | None = None
    tflite_path: Path | None = None  # a tflite_file source's file, run as it is
    provenance: Mapping[str, Any] = field(default_factory=dict)
    reference_fn: Reference | None = field(default=None, compare=False, repr=False)

    def can_become(self, fmt: str) -> bool:
        """Return whether an artifact of format `fmt` can be made from this model."""
        return self.formats is None or fmt in self.formats

    def reference(self, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Return the FP32 reference outputs for one feed (torch module or original ONNX)."""
        if self.reference_fn is not None:
            return self.reference_fn(feed)
        if self.module is None:
            raise ValueError(f"model '{self.name}' has neither a module nor a reference")
        return torch_reference(self.module, self.inputs)(feed)

    @property
    def reference_name(self) -> str:
        """Return what the FP32 reference runs on, for the record."""
        if self.tflite_path is not None:
            return "litert reference kernels (original file)"
        return "fp32 onnxruntime-cpu (original file)" if self.module is None else "fp32 torch"


def weights_hash(module: torch.nn.Module) -> str:
    """Return a sha256 over the module's class and every tensor in its state dict."""
    parts: list[object] = [type(module).__qualname__]
    for key, tensor in module.state_dict().items():
        data = tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        parts += [key, str(tensor.dtype), list(tensor.shape), data]
    return content_hash(*parts)
