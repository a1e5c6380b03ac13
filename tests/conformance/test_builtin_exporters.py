"""Conformance of the built-in exporters; each skips with a reason when its toolchain is absent.

One subclass of the suite per row of BUILT_IN, named Test<Format>Exporter (TestOnnxExporter, ...),
each loading its artifact on a CPU target of the backend named in its row.
"""

from __future__ import annotations

from harness.backends.config import TargetConfig
from tests.conformance.exporter_suite import ExporterConformance

# format: (target name, backend that loads it, module its toolchain needs)
BUILT_IN = {
    "onnx": ("cpu", "onnxruntime", "onnxruntime"),
    "torch": ("torch_cpu", "torch", "torch"),
    "pte": ("executorch_xnnpack", "executorch", "executorch.runtime"),
    "tflite": ("litert_cpu", "litert", "litert_torch"),
}
IN_MEMORY = {"torch"}  # the fp32 torch artifact is the module itself: no file is written

for _format, (_target, _backend, _module) in BUILT_IN.items():
    _name = f"Test{_format.capitalize()}Exporter"
    globals()[_name] = type(_name, (ExporterConformance,), {
        "__module__": __name__, "artifact_format": _format, "runtime_module": _module,
        "target": TargetConfig(name=_target, backend=_backend, device="cpu"),
        "writes_file": _format not in IN_MEMORY})
