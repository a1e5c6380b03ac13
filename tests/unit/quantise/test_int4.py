"""int4 weight-only: Gemm rewrite, MatMulNBits on MLPs, a clear refusal for conv nets."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from harness.core.artifact import Artifact
from harness.core.cache import ArtifactCache
from harness.core.errors import QuantisationError
from harness.models.source import LoadedModel
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe
from harness.quantise.onnx_int4 import gemm_to_matmul

INT4 = QuantConfig(name="int4", recipe=Recipe.int4_weight_only, block_size=32,
                   weight_symmetric=True)


def _session(model: onnx.ModelProto | str) -> ort.InferenceSession:
    data = model if isinstance(model, str) else model.SerializeToString()
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def test_gemm_rewrite_keeps_the_numbers(mlp_fp32: Artifact) -> None:
    model = onnx.load(str(mlp_fp32.path))
    assert gemm_to_matmul(model) == 2
    assert {n.op_type for n in model.graph.node} == {"MatMul", "Add", "Relu"}
    x = np.random.default_rng(0).standard_normal((3, 64)).astype(np.float32)
    want = _session(str(mlp_fp32.path)).run(None, {"input": x})[0]
    np.testing.assert_allclose(_session(model).run(None, {"input": x})[0], want, atol=1e-5)


def test_int4_quantises_mlp_weights(
    mlp_model: LoadedModel, mlp_fp32: Artifact, cache: ArtifactCache
) -> None:
    artifact = quantise(mlp_model, mlp_fp32, INT4, None, cache)
    graph = onnx.load(str(artifact.path)).graph
    assert [n.op_type for n in graph.node].count("MatMulNBits") == 2
    assert artifact.size_bytes < mlp_fp32.size_bytes / 4
    x = np.random.default_rng(0).standard_normal((4, 64)).astype(np.float32)
    got = _session(str(artifact.path)).run(None, {"input": x})[0]
    with torch.inference_mode():
        ref = mlp_model.module(torch.from_numpy(x)).numpy()
    cos = np.sum(got * ref) / np.linalg.norm(got) / np.linalg.norm(ref)
    assert cos > 0.99


def test_int4_refuses_conv_nets(
    conv_model: LoadedModel, conv_fp32: Artifact, cache: ArtifactCache
) -> None:
    with pytest.raises(QuantisationError, match="MatMul weights only.*int8_static"):
        quantise(conv_model, conv_fp32, INT4, None, cache)


def test_bad_block_size_is_a_clear_error(
    mlp_model: LoadedModel, mlp_fp32: Artifact, cache: ArtifactCache
) -> None:
    cfg = QuantConfig(name="int4_bad", recipe=Recipe.int4_weight_only, block_size=24)
    with pytest.raises(QuantisationError, match="power of two"):
        quantise(mlp_model, mlp_fp32, cfg, None, cache)
