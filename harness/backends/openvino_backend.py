"""OpenVINO native: ONNX artifacts compiled for CPU, GPU, NPU or AUTO with performance hints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import openvino as ov

from harness.backends.base import Backend, ProfiledSession, Session, SessionClosed, input_error
from harness.backends.cold import ColdSettings
from harness.backends.openvino_prepare import (
    UNCONVERTED,
    folded_inputs,
    prepare_mode,
    prepared_artifact,
)
from harness.backends.openvino_profile import PROFILER, OpenVinoProfiledSession
from harness.core.artifact import Artifact
from harness.core.errors import ConfigError, UnsupportedError, reason_of
from harness.core.probe import Probe

HINTS = ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT")
STATIC_DEVICES = ("NPU",)  # devices that compile static shapes only


@dataclass
class OpenVinoOptions:
    """OpenVINO compile options.

    performance_hint: LATENCY, THROUGHPUT or CUMULATIVE_THROUGHPUT.
    num_streams: parallel inference streams; null lets the hint decide.
    inference_precision: f32 keeps fp32/int8 artifacts faithful (OpenVINO's CPU default is bf16
      where the CPU has bf16 instructions); set "" for the device default, or bf16/f16.
    cache_dir: compiled-model cache ("" disables it).
    static_shape: reshape to the artifact's input shape; null means "only on NPU".
    prepare_graph: auto, true or false. Hand OpenVINO a prepared copy of the ONNX graph:
      integer/bool inputs fixed by model.inputs.NAME.value folded as constants, input shapes
      fixed to the run's, constants folded (an If with a constant condition becomes the branch
      it takes), If conditions reshaped to scalars, a redundant Q/DQ pair before a requantised
      Pad dropped (openvino_prepare.py). auto: only when OpenVINO cannot take the file as it is.
      The record's artifact section names the change and the prepared file's sha256.
    """

    performance_hint: str = "LATENCY"
    num_streams: int | None = None
    inference_precision: str = "f32"
    cache_dir: str = "models/.cache/openvino"
    static_shape: bool | None = None
    prepare_graph: str = "auto"


class OpenVinoSession(Session):
    """One compiled model and one infer request."""

    runtime_timer = ("OpenVINO InferRequest.latency: the C++ infer() call, without the Python "
                     "binding; what benchmark_app reports")

    def __init__(self, compiled: ov.CompiledModel, artifact: Artifact, info: dict[str, Any],
                 dynamic: bool) -> None:
        self.folded = folded_inputs(artifact)  # inputs a prepared graph holds as constants
        self.compiled: ov.CompiledModel | None = compiled
        self.request = compiled.create_infer_request()
        self.specs = artifact.inputs
        self.info = info
        self.dynamic = dynamic
        self._ports = {name: port for port in compiled.inputs for name in port.get_names()}
        self._views: dict[str, np.ndarray] = {}  # input name -> the request's own buffer

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference synchronously; returns host arrays (copies).

        Inputs are copied into the request's own input buffers and outputs are read as shared
        views, then copied, so that no per-call `ov.Tensor` wrapping or output building in
        Python is counted as OpenVINO's latency (costs: docs/methodology.md, "Backends'
        settings"). Inputs a prepared graph folded as constants are skipped."""
        if self.compiled is None:
            raise SessionClosed("openvino")
        try:
            request = self.request
            for name, value in inputs.items():
                if name in self.folded:
                    continue
                np.copyto(self._input_view(request, name, value), value, casting="no")
            return [out.copy() for out in request.infer(share_outputs=True).values()]
        except (RuntimeError, TypeError, ValueError, KeyError, AttributeError) as exc:
            raise input_error(inputs, self.specs, self.dynamic, "openvino", exc) from exc

    def runtime_latency_ns(self) -> int | None:
        """Return OpenVINO's own timing of the last infer() (ns; it reports milliseconds)."""
        return None if self.request is None else round(self.request.latency * 1e6)

    def _input_view(self, request: ov.InferRequest, name: str, value: np.ndarray) -> np.ndarray:
        """Return a writable view of the request's buffer for `name`, shaped like value."""
        view = self._views.get(name)
        if view is None or view.shape != value.shape or view.dtype != value.dtype:
            tensor = request.get_tensor(self._ports[name])
            if tuple(tensor.shape) != value.shape:
                tensor.shape = list(value.shape)  # raises for a static input of another shape
            view = self._views[name] = tensor.data
        return view

    def describe(self) -> dict[str, Any]:
        """Return OpenVINO's version, device, execution devices, streams, threads, precision."""
        return {"runtime": "openvino", "runtime_version": ov.get_version(), **self.info}

    def close(self) -> None:
        """Drop the request and the compiled model."""
        self.request = None
        self.compiled = None
        self._views.clear()


def _property(obj: Any, name: str) -> Any:
    try:
        value = obj.get_property(name)
    except RuntimeError:  # not every device implements every property
        return None
    if hasattr(value, "get_type_name"):  # ov.Type, e.g. the inference precision
        return value.get_type_name()
    return value if isinstance(value, (int, float, bool, str, list)) else str(value)


class OpenVinoBackend(Backend):
    """OpenVINO runtime; target.device is CPU, GPU, GPU.1, NPU or AUTO (any case)."""

    name: ClassVar[str] = "openvino"
    formats: ClassVar[tuple[str, ...]] = ("onnx",)
    extra: ClassVar[str] = "openvino"
    options_cls: ClassVar[type] = OpenVinoOptions
    profiler: ClassVar[str | None] = PROFILER
    runtime_modules: ClassVar[tuple[str, ...]] = ("openvino",)

    @classmethod
    def version(cls) -> str:
        """Return OpenVINO's version."""
        return ov.get_version()

    @property
    def device(self) -> str:
        """Return the OpenVINO device name for target.device."""
        return self.target.device.upper()

    def probe(self) -> Probe:
        """Return whether the device is in `ov.Core().available_devices`."""
        available = ov.Core().available_devices
        base = self.device.split(".")[0]
        bases = {d.split(".")[0] for d in available}
        if base in ("AUTO", "MULTI", "HETERO") or self.device in available:
            return Probe(True)
        if "." not in self.device and base in bases:
            return Probe(True)
        return Probe(False, f"OpenVINO device {self.device} not found; available: "
                     f"{', '.join(available) or '(none)'}")

    def _config(self) -> dict[str, Any]:
        opts = self.options
        if opts.performance_hint not in HINTS:
            raise ConfigError(f"performance_hint '{opts.performance_hint}' is not valid.",
                              f"Use one of: {', '.join(HINTS)}.")
        config: dict[str, Any] = {"PERFORMANCE_HINT": opts.performance_hint}
        if opts.num_streams is not None:
            config["NUM_STREAMS"] = str(opts.num_streams)
        if self.target.threads and self.device.startswith("CPU"):
            config["INFERENCE_NUM_THREADS"] = self.target.threads
        if opts.inference_precision:
            config["INFERENCE_PRECISION_HINT"] = opts.inference_precision
        if opts.cache_dir:
            Path(opts.cache_dir).mkdir(parents=True, exist_ok=True)
            config["CACHE_DIR"] = opts.cache_dir
        return config

    def _compile(self, artifact: Artifact, config: dict[str, Any]
                 ) -> tuple[ov.CompiledModel, dict[str, Any]]:
        """Return the model compiled with `config` and its describe() fields."""
        self.check(artifact)
        self.require_available("Install the device's driver, or pick another target.")
        core = ov.Core()
        static = self.options.static_shape
        static = self.device.split(".")[0] in STATIC_DEVICES if static is None else static
        try:
            model = core.read_model(str(artifact.path))
            if static:
                model.reshape({s.name: list(s.shape) for s in artifact.inputs
                               if s.name not in folded_inputs(artifact)})
            compiled = core.compile_model(model, self.device, config)
        except RuntimeError as exc:
            raise _compile_error(exc, artifact, self.device) from exc
        info = {name.lower(): _property(compiled, name) for name in (
            "EXECUTION_DEVICES", "NUM_STREAMS", "INFERENCE_NUM_THREADS",
            "INFERENCE_PRECISION_HINT", "PERFORMANCE_HINT", "LOADED_FROM_CACHE")}
        full_name = _property_of(core, self.device.split(".")[0])
        info.update(device=self.device, device_name=full_name, static_shape=static,
                    cache_dir=config.get("CACHE_DIR", ""))
        return compiled, info

    def prepare(self, artifact: Artifact, fixed_inputs: dict[str, np.ndarray],
                cache_dir: Path) -> Artifact:
        """Return the artifact, or its copy prepared for OpenVINO's ONNX reader
        (target.options.prepare_graph; openvino_prepare.py)."""
        return prepared_artifact(artifact, fixed_inputs, prepare_mode(self.options.prepare_graph),
                                 cache_dir)

    def load(self, artifact: Artifact) -> Session:
        """Read the ONNX file, compile it for the device and return a session."""
        compiled, info = self._compile(artifact, self._config())
        return OpenVinoSession(compiled, artifact, info, dynamic=_dynamic(artifact, info))

    def compile_cache(self) -> str | None:
        """Return OpenVINO's compiled-model cache: the CACHE_DIR property."""
        return "OpenVINO CACHE_DIR (target.options.cache_dir)"

    def cold_start_settings(self, cache_dir: Path, use_cache: bool) -> ColdSettings:
        """Return the cache_dir option: `cache_dir` when use_cache, else "" (no cache)."""
        return ColdSettings({"cache_dir": str(cache_dir) if use_cache else ""})

    def load_profiled(self, artifact: Artifact) -> ProfiledSession:
        """Compile with PERF_COUNT on and return a counting session (a model cached by the
        trials' compile loads from the cache, counters and all)."""
        compiled, info = self._compile(artifact, {**self._config(), "PERF_COUNT": True})
        return OpenVinoProfiledSession(
            OpenVinoSession(compiled, artifact, info, dynamic=_dynamic(artifact, info)))


def _dynamic(artifact: Artifact, info: dict[str, Any]) -> bool:
    return not (info["static_shape"] or artifact.meta.get("prepared_static_shapes"))


def _compile_error(exc: RuntimeError, artifact: Artifact, device: str) -> UnsupportedError:
    """Return the error for a model OpenVINO could not read or compile, naming the operators."""
    text = str(exc)
    prepared = artifact.meta.get("graph_preparation")
    tried = artifact.meta.get("graph_preparation_failed")
    after = f" (after {prepared})" if prepared else f" ({tried})" if tried else ""
    failed = UNCONVERTED.search(text)
    if failed:
        ops = failed.group(1).strip()
        log = text.partition("Failed operations detailed log:")[2].partition("Summary:")[0]
        return UnsupportedError(
            f"OpenVINO's ONNX reader cannot convert {ops} in this model{after}: "
            f"{reason_of(RuntimeError(log or text), max_lines=6)}",
            f"This is a limit of OpenVINO's ONNX frontend ({ov.__version__}), not of the model: "
            + ("" if prepared or tried else "let the harness prepare the graph (target.options."
               "prepare_graph=auto: inputs fixed by value folded, constant If's inlined), ")
            + "run it on onnxruntime (target=cpu), or re-export it without that construct "
            "(e.g. fixed input shapes, or the branch the deployment takes folded in).")
    return UnsupportedError(
        f"OpenVINO could not compile {artifact.path} for {device}{after}: {reason_of(exc)}",
        "Try another device or performance hint, or the onnxruntime backend.")


def _property_of(core: ov.Core, device: str) -> str | None:
    if device in ("AUTO", "MULTI", "HETERO"):
        return None
    try:
        return str(core.get_property(device, "FULL_DEVICE_NAME"))
    except RuntimeError:
        return None
