"""BYO sources on real files: ONNX (several inputs, opsets, external data), torch, .pt2, TS, HF."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from harness.accuracy.evaluate import evaluate
from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.cache import ArtifactCache, file_sha256
from harness.core.errors import ConfigError, ModelError
from harness.export.formats import format_mismatch, fp32_artifact
from harness.models.config import InputSpec, ModelConfig, ModelSource
from harness.models.inputs import batched_samples, calibration_set
from harness.models.loaded import lazy_reference
from harness.models.source import load_model
from harness.quantise.apply import quantise
from harness.quantise.config import QuantConfig, Recipe
from tests.unit.models import builders

MULTI_INPUTS = {"image": InputSpec(shape=[2, 3, 8, 8]), "scale": InputSpec(value=2)}


def onnx_cfg(path: Path, **kw: object) -> ModelConfig:
    return ModelConfig(name=path.stem, source=ModelSource.onnx_file, path=str(path), **kw)


@pytest.mark.parametrize("opset", [11, 13])
def test_multi_input_onnx_runs_int8_static_against_the_original_file(
        tmp_path: Path, opset: int) -> None:
    path = builders.multi_input_onnx(tmp_path / f"m{opset}.onnx", opset)
    model = load_model(onnx_cfg(path, batch_size=2, inputs=MULTI_INPUTS), tmp_path)
    assert [(s.name, s.shape, s.dtype) for s in model.inputs] == [
        ("image", (2, 3, 8, 8), "float32"), ("scale", (), "int64"), ("state", (2, 2, 8), "float32")]
    assert model.module is None and not model.dynamic_batch
    assert model.provenance["file_sha256"] == file_sha256(path)
    cache = ArtifactCache(tmp_path / "cache")
    fp32 = fp32_artifact(model, ("onnx",), ModelConfig(), cache)
    assert fp32.sha256 == file_sha256(path) and fp32.meta["source_opset"] == opset
    calib = calibration_set(model, 6, 0)
    assert {k: v.shape for k, v in calib.feeds[0].items()} == {
        "image": (2, 3, 8, 8), "scale": (), "state": (2, 2, 8)}
    int8 = quantise(model, fp32, QuantConfig(name="q", recipe=Recipe.int8_static), calib, cache)
    session = create_backend(TargetConfig()).load(int8)
    result = evaluate(session, model, batched_samples(model, 3, 0, int8.inputs), int8.inputs)
    assert result["reference"].startswith("fp32 onnxruntime")
    assert len(result["fidelity_outputs"]) == 2 and result["fidelity"]["cosine"] > 0.95
    assert format_mismatch(model, "torch", ("torch",)) == (
        "backend torch needs a torch model; this model is an ONNX file")


def test_a_file_reference_opens_its_runtime_on_first_use_and_keeps_it() -> None:
    opened: list[int] = []

    def open_runtime() -> float:
        opened.append(len(opened))
        return 3.0

    reference = lazy_reference(open_runtime, lambda scale, feed: [feed["x"] * scale])
    assert opened == []  # a model never judged opens no runtime
    for _ in range(2):
        assert reference({"x": np.ones(2, np.float32)})[0].tolist() == [3.0, 3.0]
    assert opened == [0]


def test_unsized_dynamic_dimensions_are_named(tmp_path: Path) -> None:
    path = builders.multi_input_onnx(tmp_path / "m.onnx")
    with pytest.raises(ConfigError, match=r"'height' \(axis 2\), 'width' \(axis 3\)"):
        load_model(onnx_cfg(path), tmp_path)


def test_external_data_is_folded_into_the_cache(tmp_path: Path) -> None:
    path = builders.mlp_onnx(tmp_path / "ext.onnx", external=True)
    model = load_model(onnx_cfg(path), tmp_path)
    assert "weights.bin" in model.provenance["external_data"]
    artifact = fp32_artifact(model, ("onnx",), ModelConfig(), ArtifactCache(tmp_path / "c"))
    assert artifact.meta["external_data_folded"] and not (artifact.path.parent / "weights.bin"
                                                          ).exists()
    session = create_backend(TargetConfig()).load(artifact)
    assert evaluate(session, model, batched_samples(model, 2, 0))["fidelity"]["cosine"] > 0.9999


@pytest.mark.parametrize("location", ["../secret.bin", "/etc/passwd", "sub/../../x.bin"])
def test_external_data_outside_the_folder_is_refused(tmp_path: Path, location: str) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"\0" * 4096)
    path = builders.point_external_data(builders.mlp_onnx(folder / "ext.onnx", external=True),
                                        location)
    with pytest.raises(ModelError, match="outside its folder"):
        load_model(onnx_cfg(path), tmp_path)


def test_torch_module_by_import_path_with_state_dict(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    target = builders.write_net_package(tmp_path)
    torch.save(builders.tiny_net(32).state_dict(), tmp_path / "w.pt")
    cfg = ModelConfig(name="tiny", source=ModelSource.torch, weights=str(tmp_path / "w.pt"),
                      module={"_target_": target, "width": 32},
                      inputs={"x": InputSpec(shape=[1, 8])})
    model = load_model(cfg, tmp_path)
    x = np.ones((1, 8), np.float32)
    want = builders.tiny_net(32)(torch.from_numpy(x)).detach().numpy()
    assert np.allclose(model.reference({"x": x})[0], want)
    cfg.inputs = {}
    with pytest.raises(ConfigError, match=r"model.inputs.x.shape"):
        load_model(cfg, tmp_path)
    sys.modules.pop("byo_nets", None)


class Boom:
    """A pickled object whose loading would run code."""

    def __reduce__(self) -> tuple:
        return (print, ("pwned",))


def test_state_dict_with_objects_is_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    target = builders.write_net_package(tmp_path)
    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"fc1.weight": Boom()}))
    torch.save({"fc1.weight": Boom()}, tmp_path / "evil2.pt")
    for name in ("evil.pt", "evil2.pt"):
        cfg = ModelConfig(name="t", source=ModelSource.torch, target=target,
                          weights=str(tmp_path / name), inputs={"x": InputSpec(shape=[1, 8])})
        with pytest.raises(ModelError, match="not a plain state dict"):
            load_model(cfg, tmp_path)


def test_pt2_program_shapes_come_from_the_file(tmp_path: Path) -> None:
    path = builders.pt2_file(tmp_path / "n.pt2")
    model = load_model(ModelConfig(name="p", source=ModelSource.pt2, path=str(path),
                                   batch_size=3), tmp_path)
    assert model.inputs[0].shape == (3, 8) and model.dynamic_batch
    assert model.reference({"x": np.zeros((3, 8), np.float32)})[0].shape == (3, 4)


def test_torchscript_needs_the_trust_flag(tmp_path: Path) -> None:
    path = builders.torchscript_file(tmp_path / "n.ts")
    cfg = ModelConfig(name="s", source=ModelSource.torchscript, path=str(path),
                      inputs={"x": InputSpec(shape=[1, 8])})
    with pytest.raises(ModelError, match="trust_torchscript=true"):
        load_model(cfg, tmp_path)
    cfg.trust_torchscript = True
    model = load_model(cfg, tmp_path)
    assert model.reference({"x": np.zeros((1, 8), np.float32)})[0].shape == (1, 4)
    assert not model.can_become("pte")


def test_local_hf_folder(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    folder = builders.hf_folder(tmp_path / "hf")
    cfg = ModelConfig(name="h", source=ModelSource.hf, path=str(folder))
    with pytest.raises(ConfigError, match="seq_len"):
        load_model(cfg, tmp_path)
    cfg.inputs = {"input_ids": InputSpec(shape=[1, 16])}
    model = load_model(cfg, tmp_path)
    assert model.task == "classification" and model.inputs[0].dtype == "int64"
    feed = batched_samples(model, 1, 0)[0]
    assert feed["input_ids"].max() < 64 and model.reference(feed)[0].shape == (1, 3)
