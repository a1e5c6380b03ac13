"""onnxruntime: any execution provider, session options from the target config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import onnxruntime as ort

from harness.artifact import Artifact
from harness.backends.base import Backend, Probe, Session
from harness.errors import BackendUnavailable, ConfigError, UnsupportedError

_OPT_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


@dataclass
class OnnxRuntimeOptions:
    """Execution providers and session options."""

    providers: list[str] = field(default_factory=lambda: ["CPUExecutionProvider"])
    provider_options: list[dict[str, Any]] = field(default_factory=list)
    graph_optimization_level: str = "all"
    sequential: bool = True
    inter_op_threads: int = 0
    allow_spinning: bool = True


class OnnxRuntimeSession(Session):
    """An InferenceSession with its output names resolved once."""

    def __init__(self, session: ort.InferenceSession, threads: int | None) -> None:
        self.session = session
        self.threads = threads
        self._outputs = [o.name for o in session.get_outputs()]

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference on the session."""
        return self.session.run(self._outputs, inputs)

    def describe(self) -> dict[str, Any]:
        """Return onnxruntime's version, the providers actually active and the threads."""
        return {
            "runtime": "onnxruntime",
            "runtime_version": ort.__version__,
            "providers": self.session.get_providers(),
            "intra_op_threads": self.threads,
            "device": ort.get_device(),
        }

    def close(self) -> None:
        """Drop the session so onnxruntime frees its arena."""
        self.session = None  # type: ignore[assignment]


class OnnxRuntimeBackend(Backend):
    """onnxruntime with the execution providers named in target.options.providers."""

    name: ClassVar[str] = "onnxruntime"
    formats: ClassVar[tuple[str, ...]] = ("onnx",)
    options_cls: ClassVar[type] = OnnxRuntimeOptions

    @classmethod
    def version(cls) -> str:
        """Return onnxruntime's version."""
        return ort.__version__

    def probe(self) -> Probe:
        """Return whether every requested execution provider is available in this build."""
        available = ort.get_available_providers()
        missing = [p for p in self.options.providers if p not in available]
        if missing:
            return Probe(False, f"execution provider(s) {', '.join(missing)} not available in "
                         f"this onnxruntime build (available: {', '.join(available)})")
        return Probe(True)

    def _session_options(self) -> ort.SessionOptions:
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
        opts.log_severity_level = 3
        return opts

    def load(self, artifact: Artifact) -> Session:
        """Create an InferenceSession for the ONNX file."""
        self.check(artifact)
        probe = self.probe()
        if not probe.available:
            raise BackendUnavailable(f"onnxruntime: {probe.reason}.",
                                     "Install the onnxruntime package built for that provider.")
        try:
            session = ort.InferenceSession(
                str(artifact.path), sess_options=self._session_options(),
                providers=list(self.options.providers),
                provider_options=list(self.options.provider_options) or None,
            )
        except Exception as exc:  # onnxruntime raises its own exception types per failure
            raise UnsupportedError(
                f"onnxruntime could not load {artifact.path}: {exc}".splitlines()[0],
                "Check the model with onnx.checker, or try another opset or backend.",
            ) from exc
        return OnnxRuntimeSession(session, self.target.threads)
