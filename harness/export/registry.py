"""The exporter registry: artifact format -> function building the fp32 artifact of a model.

Built-ins and plugins register in the `harness.exporters` entry-point group, keyed by the
format they write (`onnx`, `torch`, `pte`, or a plugin's own). An exporter is called as
`exporter(model, model_config, cache) -> Artifact`."""

from __future__ import annotations

from harness.core.registry import Registry

EXPORTERS: Registry = Registry("exporter", None, group="harness.exporters")
