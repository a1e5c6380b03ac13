"""Transformer models: every token input a deployment feeds, eager-attention export, fusions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from harness.core.cache import ArtifactCache
from harness.export.onnx_export import export_onnx
from harness.models.config import InputSpec, ModelConfig, ModelSource
from harness.models.inputs import batched_samples
from harness.models.source import load_model
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe
from harness.records.sections import ArtifactSection

transformers = pytest.importorskip("transformers")

TOKENS = ["input_ids", "attention_mask", "token_type_ids"]
VOCAB = 100


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT (hidden 64, random weights) saved with save_pretrained."""
    folder = tmp_path_factory.mktemp("tiny_bert")
    config = transformers.BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                                     num_attention_heads=4, intermediate_size=128,
                                     max_position_embeddings=64)
    torch.manual_seed(0)
    transformers.BertModel(config).eval().save_pretrained(str(folder))
    return folder


def hf_cfg(folder: Path, seq_len: int = 16, **kw: object) -> ModelConfig:
    return ModelConfig(name="tiny_bert", source=ModelSource.hf, path=str(folder),
                       inputs={"input_ids": InputSpec(shape=[1, seq_len])}, **kw)


def test_every_token_input_is_fed_at_the_configured_length(tiny_bert: Path,
                                                           tmp_path: Path) -> None:
    model = load_model(hf_cfg(tiny_bert, seq_len=32), tmp_path)
    assert [(s.name, s.shape, s.dtype) for s in model.inputs] == [
        (name, (1, 32), "int64") for name in TOKENS]
    feed = batched_samples(model, 1, 0)[0]
    assert feed["input_ids"].max() < VOCAB and feed["input_ids"].min() >= 0
    assert (feed["attention_mask"] == 1).all() and (feed["token_type_ids"] == 0).all()
    assert model.fills["attention_mask"].describe() == "constant 1"


def _padded_feed(model: object) -> dict[str, np.ndarray]:
    """A feed as a deployment sends it: the last positions padded (mask 0)."""
    feed = batched_samples(model, 1, 0)[0]  # type: ignore[arg-type]
    feed["attention_mask"][:, 10:] = 0
    return feed


def _matches_torch(artifact_path: Path, model: object) -> None:
    feed = _padded_feed(model)
    session = ort.InferenceSession(str(artifact_path), providers=["CPUExecutionProvider"])
    got = session.run(None, feed)[0]
    np.testing.assert_allclose(got, model.reference(feed)[0], atol=1e-4, rtol=1e-4)  # type: ignore[attr-defined]


def test_export_feeds_every_input_without_the_sdpa_nan_guard(tiny_bert: Path,
                                                             tmp_path: Path) -> None:
    cfg = hf_cfg(tiny_bert)
    model = load_model(cfg, tmp_path)
    artifact = export_onnx(model, cfg, ArtifactCache(tmp_path / "cache"))
    graph = onnx.load(str(artifact.path))
    assert [(i.name, i.type.tensor_type.elem_type) for i in graph.graph.input] == [
        (name, onnx.TensorProto.INT64) for name in TOKENS]
    assert "IsNaN" not in {n.op_type for n in graph.graph.node}  # eager, not SDPA, attention
    assert artifact.meta["exporter"] == "torch.onnx torchscript (eager attention)"
    assert artifact.meta["fusions"] == {}  # no offline fusions: onnxruntime fuses at load
    record = ArtifactSection.from_dict(artifact.describe())
    assert record.exporter == artifact.meta["exporter"] and record.fusions == {}
    _matches_torch(artifact.path, model)


def test_transformer_fusions_are_recorded_and_int8_keeps_them(tiny_bert: Path,
                                                              tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path / "cache")
    cfg = hf_cfg(tiny_bert, transformer_fusions=True)
    model = load_model(cfg, tmp_path)
    fused = export_onnx(model, cfg, cache)
    ops = {n.op_type for n in onnx.load(str(fused.path)).graph.node}
    assert "IsNaN" not in ops and "Attention" in ops
    fusions = fused.meta["fusions"]
    assert fusions["Attention"] == 2 and fusions["SkipLayerNormalization"] >= 2
    assert "onnxruntime.transformers optimizer" in fused.meta["exporter"]
    assert ArtifactSection.from_dict(fused.describe()).fusions == fusions
    _matches_torch(fused.path, model)
    int8 = quantise(model, fused, QuantConfig(name="int8_dynamic", recipe=Recipe.int8_dynamic),
                    None, cache)
    assert int8.meta["fusions"] == fusions
    assert int8.describe()["exporter"] == fused.meta["exporter"]
