"""Conformance of the built-in exporters; each skips with a reason when its toolchain is absent."""

from __future__ import annotations

from harness.backends.config import TargetConfig
from tests.conformance.exporter_suite import ExporterConformance


class TestOnnxExporter(ExporterConformance):
    artifact_format = "onnx"
    target = TargetConfig(name="cpu", backend="onnxruntime", device="cpu")
    runtime_module = "onnxruntime"


class TestTorchExporter(ExporterConformance):
    artifact_format = "torch"
    target = TargetConfig(name="torch_cpu", backend="torch", device="cpu")
    runtime_module = "torch"
    writes_file = False  # the fp32 torch artifact is the module itself


class TestPteExporter(ExporterConformance):
    artifact_format = "pte"
    target = TargetConfig(name="executorch_xnnpack", backend="executorch", device="cpu")
    runtime_module = "executorch.runtime"


class TestTfliteExporter(ExporterConformance):
    artifact_format = "tflite"
    target = TargetConfig(name="litert_cpu", backend="litert", device="cpu")
    runtime_module = "litert_torch"
