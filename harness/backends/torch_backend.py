"""torch: eager or torch.compile, under inference_mode, on CPU or CUDA."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from harness.backends.base import Backend, ProfiledSession, Session, SessionClosed, input_error
from harness.backends.cold import ColdSettings
from harness.backends.torch_profile import PROFILER, TorchProfiledSession
from harness.core.artifact import Artifact
from harness.core.errors import UnsupportedError
from harness.core.probe import Probe


@dataclass
class TorchOptions:
    """torch execution options.

    compile: wrap the module in torch.compile (mode: default, reduce-overhead, max-autotune).
    compile_dynamic: let torch.compile generalise over batch sizes (null: torch decides).
    inference_mode: run under torch.inference_mode (else torch.no_grad).
    tf32: on CUDA, let cuDNN convolutions and matmuls round fp32 inputs to TensorFloat-32
      (faster on Ampere and later, about 1e-3 relative error). Off by default, so that an fp32
      run is IEEE fp32: torch's own default lets cuDNN convolutions use TF32.
    """

    compile: bool = False
    compile_mode: str = "default"
    compile_dynamic: bool | None = None
    inference_mode: bool = True
    tf32: bool = False


def set_tf32(enabled: bool) -> None:
    """Allow or forbid TF32 in cuDNN convolutions and CUDA matmuls (process-wide torch flags).

    The legacy flags, not `fp32_precision`: torch raises when code reads a legacy flag after the
    two APIs were mixed, and setting the legacy ones keeps both views consistent.
    """
    torch.backends.cudnn.allow_tf32 = enabled
    torch.backends.cuda.matmul.allow_tf32 = enabled


def compile_cache_counts() -> dict[str, int]:
    """Return torch.compile's cache hits and misses in this process ("group.name" -> count),
    from torch._dynamo's counters (e.g. inductor.fxgraph_cache_hit)."""
    from torch._dynamo.utils import counters

    return {f"{group}.{name}": int(count) for group in ("inductor", "aot_autograd")
            for name, count in counters[group].items() if "cache" in name}


class TorchSession(Session):
    """A module on a device; inputs are copied to the device inside run()."""

    def __init__(self, module: torch.nn.Module, device: torch.device, artifact: Artifact,
                 threads: int | None, options: TorchOptions) -> None:
        self.module: torch.nn.Module | None = module
        self.device = device
        self.specs = artifact.inputs
        self.options = options
        self._grad_off = torch.inference_mode if options.inference_mode else torch.no_grad
        self._threads_before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the module on the inputs in spec order; returns host arrays."""
        if self.module is None:
            raise SessionClosed("torch")
        try:
            with self._grad_off():
                args = [torch.from_numpy(inputs[s.name]).to(self.device) for s in self.specs]
                if len(inputs) != len(self.specs):
                    raise KeyError("unexpected extra inputs")
                out = self.module(*args)
        except (RuntimeError, KeyError, TypeError, ValueError) as exc:
            raise input_error(inputs, self.specs, True, "torch", exc) from exc
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [o.cpu().numpy() for o in outs]

    def synchronize(self) -> None:
        """Wait for queued CUDA kernels."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def describe(self) -> dict[str, Any]:
        """Return torch's version, the device, threads, compile and grad settings."""
        info: dict[str, Any] = {
            "runtime": "torch", "runtime_version": torch.__version__, "device": str(self.device),
            "threads": torch.get_num_threads(), "compiled": self.options.compile,
            "compile_mode": self.options.compile_mode if self.options.compile else None,
            "inference_mode": self.options.inference_mode,
            "quantized_engine": torch.backends.quantized.engine,
        }
        if self.options.compile:  # after a first run: whether Inductor's caches were hit
            hits = compile_cache_counts()
            info.update(compile_cache_counts=hits,
                        loaded_from_cache=any(n for k, n in hits.items() if k.endswith("_hit")))
        if self.device.type == "cuda":
            info.update(device_name=torch.cuda.get_device_name(self.device),
                        cuda_version=torch.version.cuda,
                        tf32=torch.backends.cudnn.allow_tf32)
        return info

    def close(self) -> None:
        """Restore the process's thread count and drop the module (safe to call twice)."""
        if self.module is not None:
            torch.set_num_threads(self._threads_before)
        self.module = None


class TorchBackend(Backend):
    """torch eager / torch.compile; takes the in-memory torch module artifact."""

    name: ClassVar[str] = "torch"
    formats: ClassVar[tuple[str, ...]] = ("torch",)
    needs_sync: ClassVar[bool] = True
    device_resident_io: ClassVar[bool] = False
    options_cls: ClassVar[type] = TorchOptions
    profiler: ClassVar[str | None] = PROFILER
    runtime_modules: ClassVar[tuple[str, ...]] = ("torch",)

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
        """Copy the module to the device (the CPU original stays the reference) and compile."""
        self.check(artifact)
        device = torch.device(self.target.device)
        if device.type != "cpu" and artifact.precision != "fp32":
            raise UnsupportedError(
                f"torch int8 ({artifact.precision}) modules run on the CPU only, not {device}.",
                "Use quant=fp32 with torch_cuda, or the tensorrt target for int8 on a GPU.")
        if device.type == "cuda":
            set_tf32(self.options.tf32)
        module = artifact.module if device.type == "cpu" else copy.deepcopy(artifact.module)
        module = module.to(device).eval()
        if self.options.compile:
            module = torch.compile(module, mode=self.options.compile_mode,
                                   dynamic=self.options.compile_dynamic)
        return TorchSession(module, device, artifact, self.target.threads, self.options)

    def compile_cache(self) -> str | None:
        """Return torch.compile's on-disk cache when compiling; eager mode compiles nothing."""
        return "torch.compile Inductor caches (TORCHINDUCTOR_CACHE_DIR)" if self.options.compile \
            else None

    def no_compile_cache_reason(self) -> str:
        """Return why eager mode has no cache, and the option that gives it one."""
        return ("eager mode compiles nothing; target.options.compile=true runs torch.compile, "
                "whose Inductor cache is the one to measure")

    def cold_start_settings(self, cache_dir: Path, use_cache: bool) -> ColdSettings:
        """Return Inductor's cache folder (a fresh one per process when the cache is off, so
        that nothing compiled earlier is reused) and its FX/AOT caches on or off."""
        flag = "1" if use_cache else "0"
        return ColdSettings(env={"TORCHINDUCTOR_CACHE_DIR": str(cache_dir),
                                 "TORCHINDUCTOR_FX_GRAPH_CACHE": flag,
                                 "TORCHINDUCTOR_AUTOGRAD_CACHE": flag})

    def load_profiled(self, artifact: Artifact) -> ProfiledSession:
        """Return the module's session wrapped for torch.profiler."""
        return TorchProfiledSession(self.load(artifact))
