"""Conformance of the built-in backends; each skips with a reason when its runtime is absent."""

from __future__ import annotations

from harness.backends.config import TargetConfig
from tests.conformance.suite import BackendConformance


class TestOnnxRuntimeCpu(BackendConformance):
    target = TargetConfig(name="cpu", backend="onnxruntime", device="cpu")
    runtime_module = "onnxruntime"


class TestOnnxRuntimeIoBinding(BackendConformance):
    target = TargetConfig(name="cpu_iobinding", backend="onnxruntime", device="cpu",
                          options={"io_binding": True})
    runtime_module = "onnxruntime"


class TestTorchCpu(BackendConformance):
    target = TargetConfig(name="torch_cpu", backend="torch", device="cpu")
    runtime_module = "torch"


class TestOpenVinoCpu(BackendConformance):
    target = TargetConfig(name="openvino_cpu", backend="openvino", device="CPU",
                          options={"cache_dir": ""})
    runtime_module = "openvino"


class TestExecuTorchXnnpack(BackendConformance):
    target = TargetConfig(name="executorch_xnnpack", backend="executorch", device="cpu")
    runtime_module = "executorch.runtime"
    suite_precisions = ("fp32", "int8_static")  # each lowering takes ~6-20 s on 2 cores


class TestTorchCuda(BackendConformance):
    """Skips here (no GPU) with the probe's reason; runs on a CUDA machine."""

    target = TargetConfig(name="torch_cuda", backend="torch", device="cuda")
    runtime_module = "torch"
    suite_precisions = ("fp32",)  # torch's int8 kernels are CPU-only; load() refuses them on CUDA


class TestOnnxRuntimeCuda(BackendConformance):
    """Skips unless onnxruntime-gpu and a GPU are present."""

    target = TargetConfig(name="cuda", backend="onnxruntime", device="cuda:0",
                          options={"providers": ["CUDAExecutionProvider", "CPUExecutionProvider"],
                                   "io_binding": True})
    runtime_module = "onnxruntime"


class TestLiteRTXnnpack(BackendConformance):
    """Artifacts converted by litert-torch: skips where it (or ai-edge-litert) is absent."""

    target = TargetConfig(name="litert_cpu", backend="litert", device="cpu")
    runtime_module = "litert_torch"
    suite_precisions = ("fp32", "int8_static")  # each conversion takes ~5 s on 2 cores
