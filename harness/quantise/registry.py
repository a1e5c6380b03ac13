"""The quantiser registry: artifact format -> function applying a recipe to an fp32 artifact.

Built-ins and plugins register in the `harness.quantisers` entry-point group, keyed by the
artifact format they transform. A quantiser is called as
`quantiser(model, fp32_artifact, quant_config, calibration_set_or_None, cache) -> Artifact`
and answers a recipe it has no handler for with an UnsupportedError naming the ones it has."""

from __future__ import annotations

from harness.core.registry import Registry

QUANTISERS: Registry = Registry("quantiser", None, group="harness.quantisers")
