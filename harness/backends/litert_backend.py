"""LiteRT (ai-edge-litert): .tflite models on the CPU with the XNNPACK delegate, or on a
vendor's delegate loaded from its shared library (target.options.delegate=/path/lib.so)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from ai_edge_litert import interpreter as tfl

from harness.backends.base import Backend, Session, SessionClosed, input_error
from harness.core.artifact import Artifact
from harness.core.errors import BackendUnavailable, ConfigError, UnsupportedError, reason_of
from harness.models.tflite_io import run_interpreter


@dataclass
class LiteRTOptions:
    """LiteRT options; the interpreter's thread count is target.threads (null: all cores).

    delegate: path of a vendor delegate's shared library (TFLite external-delegate ABI:
      tflite_plugin_create_delegate), loaded with load_delegate; null: none.
    delegate_options: string options passed to that delegate (its own keys).
    xnnpack: apply LiteRT's default XNNPACK delegate to what the vendor delegate leaves;
      false: LiteRT's reference kernels only.
    """

    delegate: str | None = None
    delegate_options: dict[str, str] = field(default_factory=dict)
    xnnpack: bool = True

    def __post_init__(self) -> None:
        if self.delegate_options and not self.delegate:
            raise ConfigError("target.options.delegate_options is set but no delegate is.",
                              "Set target.options.delegate=/path/to/libdelegate.so as well.")


def load_vendor_delegate(path_text: str, options: dict[str, str]) -> Any:
    """Return the delegate loaded from `path_text`; BackendUnavailable when the file is missing
    or the library does not load as a LiteRT delegate."""
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise BackendUnavailable(
            f"litert: target.options.delegate={path_text} is not a file.",
            "Point it at the vendor's delegate library (e.g. libQnnTFLiteDelegate.so from the "
            "vendor's SDK) on this machine, or drop the option to run on XNNPACK.")
    try:
        return tfl.load_delegate(str(path), {str(k): str(v) for k, v in options.items()})
    except (OSError, ValueError, RuntimeError) as exc:
        raise BackendUnavailable(
            f"litert: the delegate {path} did not load: {reason_of(exc)}",
            "Check it is the vendor's LiteRT/TFLite delegate built for this CPU architecture "
            "(it must export tflite_plugin_create_delegate), that the libraries it needs are on "
            "LD_LIBRARY_PATH, and that delegate_options uses keys it knows.") from exc


class LiteRTSession(Session):
    """One LiteRT interpreter on a .tflite file; inputs must have the allocated (static) shape."""

    def __init__(self, found: Any, artifact: Artifact, info: dict[str, Any]) -> None:
        self.interp = found
        self.specs = artifact.inputs
        self.info = info
        self.input_details = found.get_input_details()
        self.output_details = found.get_output_details()

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run once; quantised inputs/outputs are converted with the tensors' scales."""
        if self.interp is None:
            raise SessionClosed("litert")
        try:
            if len(inputs) != len(self.specs):
                raise KeyError("unexpected extra inputs")
            values = [inputs[s.name] for s in self.specs]
            return run_interpreter(self.interp, values, self.input_details, self.output_details)
        except (RuntimeError, KeyError, TypeError, ValueError) as exc:
            raise input_error(inputs, self.specs, False, "litert", exc) from exc

    def describe(self) -> dict[str, Any]:
        """Return LiteRT's version, device, delegates, partitions and thread count."""
        return {"runtime": "litert", "runtime_version": version("ai-edge-litert"),
                "device": "cpu", **self.info}

    def close(self) -> None:
        """Drop the interpreter (and with it the delegate's hold on the model)."""
        self.interp = None


class LiteRTBackend(Backend):
    """LiteRT's interpreter on the CPU (XNNPACK) or a vendor delegate; static batch per file."""

    name: ClassVar[str] = "litert"
    formats: ClassVar[tuple[str, ...]] = ("tflite",)
    precisions: ClassVar[frozenset[str]] = frozenset({"fp32", "fp16", "int8_static",
                                                      "int8_dynamic"})
    dynamic_batch: ClassVar[bool] = False
    extra: ClassVar[str] = "litert"
    options_cls: ClassVar[type] = LiteRTOptions
    runtime_modules: ClassVar[tuple[str, ...]] = ("ai_edge_litert.interpreter",)
    distribution: ClassVar[str] = "ai-edge-litert"
    no_compile_cache: ClassVar[str] = (
        "the .tflite is converted ahead of time; at load XNNPACK packs the weights (in "
        "load_ns), and LiteRT's XNNPACK weight cache (CpuOptions.xnnpack_weight_cache_path) "
        "belongs to its CompiledModel API, not the Interpreter API this backend uses")

    def threads(self) -> int:
        """Return the interpreter's thread count: target.threads, else every core."""
        return int(self.target.threads or os.cpu_count() or 1)

    def load(self, artifact: Artifact) -> Session:
        """Return an interpreter on the file with the delegates applied and tensors allocated."""
        self.check(artifact)
        delegates = []
        if self.options.delegate:
            delegates.append(load_vendor_delegate(self.options.delegate,
                                                  self.options.delegate_options))
        resolver = (tfl.OpResolverType.AUTO if self.options.xnnpack
                    else tfl.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        try:
            found = tfl.Interpreter(model_path=str(artifact.path), num_threads=self.threads(),
                                    experimental_delegates=delegates or None,
                                    experimental_op_resolver_type=resolver)
            for detail, spec in zip(found.get_input_details(), artifact.inputs, strict=True):
                if tuple(detail["shape"]) != spec.shape:
                    found.resize_tensor_input(detail["index"], list(spec.shape), strict=True)
            found.allocate_tensors()
        except (RuntimeError, ValueError) as exc:
            raise UnsupportedError(
                f"LiteRT could not load {artifact.path}: {reason_of(exc)}",
                "Check the file converts and runs with LiteRT's own tools; with a vendor "
                "delegate, try without target.options.delegate to see whether it is the cause.",
            ) from exc
        ops = Counter(op["op_name"] for op in found._get_ops_details())
        info = {"threads": self.threads(), "static_batch": artifact.inputs[0].shape[0],
                "delegate": self.options.delegate or ("xnnpack" if self.options.xnnpack
                                                      else "none (reference kernels)"),
                "default_delegates": "xnnpack" if self.options.xnnpack else "none",
                "delegated_partitions": ops.get("DELEGATE", 0),
                "io_quantised": any(d["quantization"][0] for d in found.get_input_details()),
                "exporter": artifact.meta.get("exporter")}
        return LiteRTSession(found, artifact, info)
