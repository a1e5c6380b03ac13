"""A model that is already quantised is refused up front with what to do, never re-quantised."""

from __future__ import annotations

import dataclasses

import pytest

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import QuantisationError
from harness.models.source import LoadedModel
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.prequantised import quantised_ops

from .conftest import calibration

DYNAMIC = QuantConfig(name="int8_dynamic", recipe=Recipe.int8_dynamic, per_channel=False)
STATIC = QuantConfig(name="int8_static", recipe=Recipe.int8_static)


def _as_brought_file(artifact: Artifact) -> Artifact:
    """The quantised file as a user brings it: an ONNX file the harness did not quantise."""
    return dataclasses.replace(artifact, precision="fp32", meta={})


def test_a_float_model_has_no_quantised_ops(mlp_fp32: Artifact) -> None:
    assert not quantised_ops(mlp_fp32.path)


@pytest.mark.parametrize("cfg", [DYNAMIC, STATIC], ids=lambda c: c.name)
def test_quantising_a_quantised_file_is_refused_with_what_to_do(
        mlp_model: LoadedModel, mlp_fp32: Artifact, cache: ArtifactCache,
        cfg: QuantConfig) -> None:
    quantised = quantise(mlp_model, mlp_fp32, DYNAMIC, None, cache)
    brought = _as_brought_file(quantised)
    assert quantised_ops(brought.path)  # the dynamic recipe wrote integer kernels
    calib = calibration(mlp_model) if cfg.recipe is Recipe.int8_static else None
    with pytest.raises(QuantisationError) as info:
        quantise(mlp_model, brought, cfg, calib, ArtifactCache(cache.root / "again"))
    text = str(info.value)
    assert "already quantised" in text and "quant=fp32" in text
    assert "MatMulInteger" in text or "DynamicQuantizeLinear" in text
