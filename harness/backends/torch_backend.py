"""torch: eager (optionally torch.compile) under inference_mode on CPU or CUDA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from harness.artifact import Artifact
from harness.backends.base import Backend, Probe, Session


@dataclass
class TorchOptions:
    """torch execution options."""

    compile: bool = False
    compile_mode: str = "default"


class TorchSession(Session):
    """A module on a device; inputs are copied to the device inside run()."""

    def __init__(self, module: torch.nn.Module, device: torch.device, threads: int | None,
                 compiled: bool) -> None:
        self.module = module
        self.device = device
        self.compiled = compiled
        self._threads_before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the module on the inputs in order; returns host arrays."""
        with torch.inference_mode():
            args = [torch.from_numpy(v).to(self.device) for v in inputs.values()]
            out = self.module(*args)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [o.cpu().numpy() for o in outs]

    def synchronize(self) -> None:
        """Wait for queued CUDA kernels."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def describe(self) -> dict[str, Any]:
        """Return torch's version, the device, threads and whether compiled."""
        return {
            "runtime": "torch",
            "runtime_version": torch.__version__,
            "device": str(self.device),
            "threads": torch.get_num_threads(),
            "compiled": self.compiled,
            "quantized_engine": torch.backends.quantized.engine,
        }

    def close(self) -> None:
        """Restore the process's thread count and drop the module."""
        torch.set_num_threads(self._threads_before)
        self.module = None  # type: ignore[assignment]


class TorchBackend(Backend):
    """torch eager / torch.compile; takes the in-memory torch module artifact."""

    name: ClassVar[str] = "torch"
    formats: ClassVar[tuple[str, ...]] = ("torch",)
    needs_sync: ClassVar[bool] = True
    options_cls: ClassVar[type] = TorchOptions

    @classmethod
    def version(cls) -> str:
        """Return torch's version."""
        return torch.__version__

    def probe(self) -> Probe:
        """Return whether the target device exists here."""
        if self.target.device.startswith("cuda") and not torch.cuda.is_available():
            return Probe(False, "no CUDA device visible to torch "
                         f"(torch {torch.__version__}, CUDA build: {torch.version.cuda})")
        return Probe(True)

    def load(self, artifact: Artifact) -> Session:
        """Move the module to the device and optionally compile it."""
        self.check(artifact)
        device = torch.device(self.target.device)
        module = artifact.module.to(device).eval()
        if self.options.compile:
            module = torch.compile(module, mode=self.options.compile_mode)
        return TorchSession(module, device, self.target.threads, self.options.compile)
