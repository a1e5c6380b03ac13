"""onnxruntime: any execution provider, provider and session options from the target config."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import onnxruntime as ort

from harness.backends import onnxruntime_placement as placement
from harness.backends.base import Backend, ProfiledSession, Session
from harness.backends.cold import ColdSettings
from harness.backends.onnxruntime_profile import PROFILER, OnnxRuntimeProfiledSession
from harness.backends.onnxruntime_session import OnnxRuntimeSession, placement_info
from harness.core.artifact import Artifact
from harness.core.errors import ConfigError, UnsupportedError, reason_of
from harness.core.probe import Probe

_OPT_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


@dataclass
class OnnxRuntimeOptions:
    """Execution providers (in priority order), their options, and session options.

    providers: e.g. [TensorrtExecutionProvider, CUDAExecutionProvider, CPUExecutionProvider];
    provider_options: one dict per provider, same order (e.g. {device_id: 0}).
    sequential: ORT_SEQUENTIAL (true) or ORT_PARALLEL execution mode.
    inter_op_threads: threads across nodes (parallel mode only); intra-op is target.threads.
    allow_spinning: intra-op threads spin while waiting (lower latency, more CPU).
    io_binding: bind inputs on the provider's device once and reuse them across runs.
    profile_placement: profile the first run (on the run's own inputs) to count nodes per
        provider (for describe()).
    strict: fail the run when any node fell back to the CPU under an accelerator provider.
    optimized_model_dir: onnxruntime's compiled-model cache ("" off): the first session writes
        its optimized graph there (SessionOptions.optimized_model_filepath); later sessions load
        that file with graph optimizations off instead of optimizing again.
    disabled_optimizers: onnxruntime graph transformers to leave out by name (its
        `InferenceSession(disabled_optimizers=...)`), e.g. ["SkipLayerNormFusion"].
    """

    providers: list[str] = field(default_factory=lambda: ["CPUExecutionProvider"])
    provider_options: list[dict[str, Any]] = field(default_factory=list)
    graph_optimization_level: str = "all"
    sequential: bool = True
    inter_op_threads: int = 0
    allow_spinning: bool = True
    io_binding: bool = False
    profile_placement: bool = True
    strict: bool = False
    optimized_model_dir: str = ""
    disabled_optimizers: list[str] = field(default_factory=list)


class OnnxRuntimeBackend(Backend):
    """onnxruntime with the execution providers named in target.options.providers."""

    name: ClassVar[str] = "onnxruntime"
    formats: ClassVar[tuple[str, ...]] = ("onnx",)
    precisions: ClassVar[frozenset[str]] = frozenset(
        {"fp32", "fp16", "int8_dynamic", "int8_static", "int16_static", "int4_weight_only"})
    device_resident_io: ClassVar[bool] = True
    options_cls: ClassVar[type] = OnnxRuntimeOptions
    profiler: ClassVar[str | None] = PROFILER
    runtime_modules: ClassVar[tuple[str, ...]] = ("onnxruntime",)
    _optimized: dict[str, Any] | None = None

    @classmethod
    def version(cls) -> str:
        """Return onnxruntime's version."""
        return ort.__version__

    def probe(self) -> Probe:
        """Return whether every requested execution provider is available in this build."""
        clash = placement.wheel_clash_warning()
        warnings = (clash,) if clash else ()
        available = ort.get_available_providers()
        missing = [p for p in self.options.providers if p not in available]
        if missing:
            return Probe(False, f"execution provider(s) {', '.join(missing)} not available in "
                         f"this onnxruntime build (available: {', '.join(available)})", warnings)
        return Probe(True, "", warnings)

    def _session_options(self, profiling: bool = False) -> ort.SessionOptions:
        opts = ort.SessionOptions()
        level = self.options.graph_optimization_level
        if level not in _OPT_LEVELS:
            raise ConfigError(f"graph_optimization_level '{level}' is not valid.",
                              f"Use one of: {', '.join(_OPT_LEVELS)}.")
        opts.graph_optimization_level = _OPT_LEVELS[level]
        opts.execution_mode = (ort.ExecutionMode.ORT_SEQUENTIAL if self.options.sequential
                               else ort.ExecutionMode.ORT_PARALLEL)
        if self.target.threads:
            opts.intra_op_num_threads = self.target.threads
        opts.inter_op_num_threads = self.options.inter_op_threads
        opts.add_session_config_entry(
            "session.intra_op.allow_spinning", "1" if self.options.allow_spinning else "0")
        opts.add_session_config_entry(
            "session.inter_op.allow_spinning", "1" if self.options.allow_spinning else "0")
        opts.enable_profiling = profiling or self.options.profile_placement or self.options.strict
        opts.profile_file_prefix = placement.profile_prefix()
        opts.log_severity_level = 3
        return opts

    def _io_device(self) -> tuple[str, int] | None:
        if not self.options.io_binding:
            return None
        first = self.options.providers[0] if self.options.providers else "CPUExecutionProvider"
        device_id = 0
        if self.options.provider_options:
            device_id = int(self.options.provider_options[0].get("device_id", 0))
        return placement.PROVIDER_DEVICE.get(first, "cpu"), device_id

    def optimized_model_path(self, artifact: Artifact) -> Path | None:
        """Return where the optimized graph of `artifact` is cached, or None (cache off)."""
        if not self.options.optimized_model_dir:
            return None
        key = artifact.sha256[:16] or Path(str(artifact.path)).stem
        providers = "-".join(p.removesuffix("ExecutionProvider") for p in self.options.providers)
        off = "".join(f"-no{name}" for name in sorted(self.options.disabled_optimizers))
        name = f"{key}-{self.options.graph_optimization_level}{off}-{providers}.onnx"
        return Path(self.options.optimized_model_dir) / name

    def _create(self, artifact: Artifact, profiling: bool = False) -> ort.InferenceSession:
        opts = self._session_options(profiling)
        model_path = str(artifact.path)
        cached = self.optimized_model_path(artifact)
        if cached is not None and cached.is_file():  # already optimized: do not optimize again
            model_path = str(cached)
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        elif cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            opts.optimized_model_filepath = str(cached)
        self._optimized = None if cached is None else {"path": str(cached),
                                                        "loaded": model_path == str(cached)}
        if (self.options.provider_options
                and len(self.options.provider_options) != len(self.options.providers)):
            raise ConfigError("target.options.provider_options must have one entry per provider.",
                              "Give {} for providers that take no options.")
        try:
            return ort.InferenceSession(
                model_path, sess_options=opts,
                providers=list(self.options.providers),
                provider_options=list(self.options.provider_options) or None,
                **({"disabled_optimizers": list(self.options.disabled_optimizers)}
                   if self.options.disabled_optimizers else {}),
            )
        except (RuntimeError, ValueError, ort.capi.onnxruntime_pybind11_state.Fail) as exc:
            raise UnsupportedError(
                f"onnxruntime could not load {artifact.path}: {reason_of(exc)}",
                "Check the model with onnx.checker, or try another opset or backend.",
            ) from exc

    def load(self, artifact: Artifact) -> Session:
        """Create an InferenceSession for the ONNX file; raise if strict and nodes fell back."""
        self.check(artifact)
        probe = self.require_available("Install the onnxruntime package built for that provider.")
        session = self._create(artifact)
        info = placement_info(session)
        info.update(device=self.target.device, intra_op_threads=self.target.threads,
                    session_options=self._options_record(), warnings=list(probe.warnings))
        if self._optimized is not None:
            info.update(optimized_model=self._optimized["path"],
                        loaded_from_cache=self._optimized["loaded"])
        profiled = self.options.profile_placement or self.options.strict
        return OnnxRuntimeSession(session, artifact.inputs, info, self._io_device(),
                                  self._check_placement if profiled else None)

    def load_profiled(self, artifact: Artifact) -> ProfiledSession:
        """Return a session traced by onnxruntime's profiler from its first run to end_profile()."""
        self.check(artifact)
        self.require_available("Install the onnxruntime package built for that provider.")
        session = self._create(artifact, profiling=True)
        info = placement_info(session)
        info.update(device=self.target.device, profiled=True)
        return OnnxRuntimeProfiledSession(session, artifact.inputs, info, self._io_device())

    def compile_cache(self) -> str | None:
        """Return onnxruntime's compiled-model cache: the optimized graph written to a file."""
        return ("onnxruntime SessionOptions.optimized_model_filepath "
                "(target.options.optimized_model_dir)")

    def cold_start_settings(self, cache_dir: Path, use_cache: bool) -> ColdSettings:
        """Return the options of a deployment's cold start: no placement profiling, and the
        optimized-model cache in cache_dir when use_cache."""
        return ColdSettings({"profile_placement": False,
                             "optimized_model_dir": str(cache_dir) if use_cache else ""})

    def _check_placement(self, counts: Counter) -> None:
        """Raise UnsupportedError in strict mode when nodes fell back to the CPU provider."""
        fallen = placement.cpu_fallbacks(counts, list(self.options.providers))
        if self.options.strict and fallen:
            raise UnsupportedError(
                f"onnxruntime: {fallen} node(s) fell back to CPUExecutionProvider under "
                f"{self.options.providers[0]} (nodes per provider: {dict(counts)}).",
                "Set target.options.strict=false to allow the fallback, or change the model.")

    def _options_record(self) -> dict[str, Any]:
        opts = self.options
        return {"graph_optimization_level": opts.graph_optimization_level,
                "execution_mode": "sequential" if opts.sequential else "parallel",
                "inter_op_threads": opts.inter_op_threads, "allow_spinning": opts.allow_spinning,
                "provider_options": list(opts.provider_options), "strict": opts.strict,
                "disabled_optimizers": list(opts.disabled_optimizers)}
