"""evaluate() over a real onnxruntime session: every output, task top-1, gate; FLOPs; calib."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from harness.accuracy.evaluate import evaluate
from harness.backends.config import TargetConfig
from harness.backends.registry import create_backend
from harness.core.artifact import Artifact, TensorSpec
from harness.core.errors import ConfigError
from harness.models.config import ModelConfig
from harness.models.inputs import calibration_set
from harness.models.source import LoadedModel, load_model, weights_hash
from harness.models.work import model_work
from harness.zoo import Dataset


class TwoHeads(nn.Module):
    """Logits and an embedding from one trunk."""

    def __init__(self) -> None:
        super().__init__()
        self.trunk, self.head = nn.Linear(6, 8), nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.relu(self.trunk(x))
        return self.head(h), h


@pytest.fixture(scope="module")
def two_heads(tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadedModel, Artifact]:
    torch.manual_seed(0)
    module = TwoHeads().eval()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    with torch.no_grad():
        y = module(torch.from_numpy(x))[0].argmax(1).numpy()
    y[:4] = (y[:4] + 1) % 4  # fp32 gets 90% so the task ratio is not trivially 1
    spec = TensorSpec("input", (2, 6))
    model = LoadedModel("two_heads", module, (spec,), "classification", 4,
                        Dataset("toy", x[:8], y[:8], x, y), weights_hash(module), 0)
    path = tmp_path_factory.mktemp("onnx") / "two.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.zeros(2, 6),), str(path), dynamo=True,
                          input_names=["input"], output_names=["logits", "embedding"],
                          dynamic_shapes=({0: torch.export.Dim("batch", min=1, max=64)},))
    return model, Artifact("onnx", "fp32", (spec,), path=path)


def test_every_output_task_and_gate(two_heads: tuple[LoadedModel, Artifact]) -> None:
    model, artifact = two_heads
    session = create_backend(TargetConfig()).load(artifact)
    inputs = np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32)
    result = evaluate(session, model, inputs, artifact.inputs, accuracy_target=0.99)
    outs = result["fidelity_outputs"]
    assert [o["output"] for o in outs] == [0, 1] and outs[1]["shape"] == [8]
    assert all(o["cosine"] > 0.9999 for o in outs) and "top1_agreement" in outs[0]
    assert result["fidelity"]["cosine"] == outs[0]["cosine"]
    assert result["task"]["value"] == pytest.approx(0.9)
    assert result["task"]["fp32_reference"] == pytest.approx(0.9)
    assert result["gate"]["passed"] and result["gate"]["ratio"] == pytest.approx(1.0)


def test_flops_count_matmul_and_conv() -> None:
    model = load_model(ModelConfig(name="kws"), Path("unused"))
    work = model_work(model)
    assert work["flops_per_inference"] == pytest.approx(5.3e6, rel=0.05)  # DS-CNN ~2.7M MACs
    assert "matmul" in work["flop_counter_note"]


def test_calibration_indices_are_fixed_and_recorded(
    two_heads: tuple[LoadedModel, Artifact],
) -> None:
    model, _ = two_heads
    first, again = calibration_set(model, 5, seed=3), calibration_set(model, 5, seed=3)
    assert first.indices == again.indices and len(first.indices) == 5
    np.testing.assert_array_equal(first.inputs, model.dataset.train_x[first.indices])
    assert first.source == "toy:train"
    with pytest.raises(ConfigError, match="calibration_size=0"):
        calibration_set(model, 0, seed=3)


def test_user_dataset_replaces_the_zoo_one(tmp_path: Path) -> None:
    np.save(tmp_path / "inputs.npy", np.zeros((8, 640), np.float32))
    np.save(tmp_path / "labels.npy", np.zeros(8, np.int64))
    cfg = ModelConfig(name="autoencoder", dataset_path=str(tmp_path))
    model = load_model(cfg, tmp_path)
    assert model.dataset is not None and len(model.dataset.test_x) == 6
    assert calibration_set(model, 64, seed=0).source.endswith("(arrays):train")
