"""ExecuTorch: .pte programs (XNNPACK delegate) run through ExecuTorch's Python runtime."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, ClassVar

import numpy as np
import torch
from executorch.extension.pybindings import portable_lib
from executorch.runtime import Runtime

from harness.backends.base import Backend, ProfiledSession, Session, SessionClosed, input_error
from harness.backends.executorch_profile import PROFILER, ExecuTorchProfiledSession
from harness.core.artifact import Artifact
from harness.core.errors import UnsupportedError, reason_of
from harness.core.probe import Probe
from harness.export.pte_export import DELEGATE


@dataclass
class ExecuTorchOptions:
    """ExecuTorch options; the XNNPACK thread pool size is target.threads (null: all cores)."""

    method: str = "forward"


class ExecuTorchSession(Session):
    """One loaded method of a .pte program; inputs must have the exported (static) shape."""

    def __init__(self, program: Any, method: Any, artifact: Artifact, info: dict[str, Any]
                 ) -> None:
        self.program = program
        self.method = method
        self.specs = artifact.inputs
        self.info = info

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the method once; returns host arrays."""
        if self.method is None:
            raise SessionClosed("executorch")
        try:
            args = [torch.from_numpy(inputs[s.name]) for s in self.specs]
            if len(inputs) != len(self.specs):
                raise KeyError("unexpected extra inputs")
            outs = self.method.execute(args)
        except (RuntimeError, KeyError, TypeError, ValueError) as exc:
            raise input_error(inputs, self.specs, False, "executorch", exc) from exc
        return [o.numpy() for o in outs]

    def describe(self) -> dict[str, Any]:
        """Return ExecuTorch's version, device, delegate, static batch and thread-pool size."""
        return {"runtime": "executorch", "runtime_version": version("executorch"),
                "device": "cpu", "threads": portable_lib._threadpool_get_thread_count(),
                **self.info}

    def close(self) -> None:
        """Drop the method and program."""
        self.method = None
        self.program = None


class ExecuTorchBackend(Backend):
    """ExecuTorch runtime on the CPU with the XNNPACK delegate; static batch per artifact."""

    name: ClassVar[str] = "executorch"
    formats: ClassVar[tuple[str, ...]] = ("pte",)
    precisions: ClassVar[frozenset[str]] = frozenset({"fp32", "int8_static", "int8_dynamic"})
    dynamic_batch: ClassVar[bool] = False
    extra: ClassVar[str] = "executorch"
    options_cls: ClassVar[type] = ExecuTorchOptions
    profiler: ClassVar[str | None] = PROFILER
    #: torch too: the Python runtime takes and returns torch tensors.
    runtime_modules: ClassVar[tuple[str, ...]] = ("torch", "executorch.runtime")
    distribution: ClassVar[str] = "executorch"
    no_compile_cache: ClassVar[str] = (
        "the .pte is compiled ahead of time at export; loading it only has XNNPACK pack the "
        "weights (in load_ns), and ExecuTorch's Python runtime keeps no cache of that on disk")

    def probe(self) -> Probe:
        """Return whether this ExecuTorch build has the XNNPACK delegate registered."""
        names = Runtime.get().backend_registry.registered_backend_names
        if DELEGATE in names:
            return Probe(True)
        return Probe(False, f"ExecuTorch has no {DELEGATE} (registered: {', '.join(names)})")

    def load(self, artifact: Artifact) -> Session:
        """Load the program and its method; sizes the XNNPACK thread pool from target.threads."""
        return self._load(artifact, etdump=False)

    def _load(self, artifact: Artifact, etdump: bool) -> ExecuTorchSession:
        self.check(artifact)
        if self.target.threads:
            portable_lib._unsafe_reset_threadpool(self.target.threads)
        runtime = Runtime.get()
        try:
            program = runtime.load_program(artifact.path, enable_etdump=etdump)
            method = program.load_method(self.options.method)
        except (RuntimeError, ValueError) as exc:
            raise UnsupportedError(
                f"ExecuTorch could not load {artifact.path} ({self.options.method}): "
                f"{reason_of(exc)}",
                "Re-export the model (delete its models/.cache/pte entry) with this ExecuTorch.",
            ) from exc
        if method is None:
            raise UnsupportedError(f"{artifact.path} has no method '{self.options.method}'.",
                                   "Set target.options.method to a method the program has.")
        backends = sorted(runtime.backend_registry.registered_backend_names)
        info = {"delegate": artifact.meta.get("delegate"), "registered_backends": backends,
                "static_batch": artifact.inputs[0].shape[0],
                "delegated_nodes": artifact.meta.get("delegated_nodes"),
                "non_delegated_nodes": artifact.meta.get("non_delegated_nodes")}
        return ExecuTorchSession(program, method, artifact, info)

    def load_profiled(self, artifact: Artifact) -> ProfiledSession:
        """Return a session on the program loaded with ETDump recording on."""
        return ExecuTorchProfiledSession(self._load(artifact, etdump=True))
