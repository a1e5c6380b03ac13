"""Input specs: model metadata + model.inputs -> concrete shapes, fills, and clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.core.artifact import TensorSpec
from harness.core.errors import ConfigError
from harness.models.config import InputSpec, ModelConfig
from harness.models.inputs import batched_samples, fill_rows, sample_pool
from harness.models.resolve import DeclaredInput, resolve_inputs
from harness.models.source import load_model

TOKENS = DeclaredInput("tokens", ("batch", "seq_len"), "int64")


def test_unresolved_dynamic_dimension_names_input_axis_and_fix() -> None:
    with pytest.raises(ConfigError) as err:
        resolve_inputs([TOKENS], {}, 1, "lm")
    assert ("input 'tokens' has dynamic dimension 'seq_len' (axis 1); "
            "set model.inputs.tokens.shape=[1,<seq_len>]") in str(err.value)


def test_dynamic_batch_and_named_dimensions_are_shared() -> None:
    mask = DeclaredInput("mask", ("batch", "seq_len"), "bool")
    given = {"tokens": InputSpec(shape=[4, 128])}
    specs = resolve_inputs([TOKENS, mask], given, 1, "lm")
    assert specs == (TensorSpec("tokens", (4, 128), "int64"), TensorSpec("mask", (4, 128), "bool"))
    assert resolve_inputs([DeclaredInput("x", ("n", 3), "float32")], {}, 2, "m")[0].shape == (2, 3)


def test_wrong_names_ranks_and_fixed_axes_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="does not have.*tokens"):
        resolve_inputs([TOKENS], {"token": InputSpec(shape=[1, 2])}, 1, "lm")
    with pytest.raises(ConfigError, match="rank"):
        resolve_inputs([TOKENS], {"tokens": InputSpec(shape=[1])}, 1, "lm")
    with pytest.raises(ConfigError, match="fixed at 3"):
        resolve_inputs([DeclaredInput("x", (1, 3), "float32")], {"x": InputSpec(shape=[1, 4])},
                       1, "m")


def test_input_spec_validation() -> None:
    with pytest.raises(ConfigError, match="dtype"):
        InputSpec(dtype="float64")
    with pytest.raises(ConfigError, match="only one"):
        InputSpec(value=1, low=0, high=2)
    with pytest.raises(ConfigError, match="high"):
        InputSpec(low=5, high=1)


def test_fills_range_constant_npy_and_defaults(tmp_path: Path) -> None:
    ids = fill_rows(TensorSpec("t", (2, 8), "int64"), InputSpec(low=0, high=10), 6, 0)
    assert ids.shape == (6, 8) and ids.dtype == np.int64 and 0 <= ids.min() and ids.max() < 10
    assert (fill_rows(TensorSpec("s", (), "int64"), InputSpec(value=3), 2, 0) == 3).all()
    np.save(tmp_path / "x.npy", np.arange(12, dtype=np.float32).reshape(3, 4))
    rows = fill_rows(TensorSpec("x", (1, 4), "float32"), InputSpec(data=str(tmp_path / "x.npy")),
                     4, 0)
    assert rows[3].tolist() == [0, 1, 2, 3]  # cycled
    assert (fill_rows(TensorSpec("m", (1, 2), "bool"), None, 1, 0)).all()
    assert (fill_rows(TensorSpec("i", (1, 2), "int32"), None, 1, 0) == 0).all()


def test_zoo_inputs_unchanged() -> None:
    model = load_model(ModelConfig(name="autoencoder", batch_size=2), Path("unused"))
    noise = np.random.default_rng(5).standard_normal((6, 640), dtype=np.float32)
    assert np.array_equal(sample_pool(model, 6, 5), noise)
    feeds = batched_samples(model, 3, 5)
    assert np.array_equal(np.concatenate([f["input"] for f in feeds]), noise)
