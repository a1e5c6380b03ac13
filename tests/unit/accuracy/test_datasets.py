"""User data sets: array folders, image folders, and clear errors for wrong layouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.core.errors import ConfigError
from harness.models.config import DatasetFormat
from harness.models.datasets import load_dataset


def test_npy_pair_is_split_into_calibration_and_test(tmp_path: Path) -> None:
    x = np.arange(40 * 4, dtype=np.float32).reshape(40, 4)
    np.save(tmp_path / "inputs.npy", x)
    np.save(tmp_path / "labels.npy", np.arange(40) % 3)
    data = load_dataset(str(tmp_path), DatasetFormat.auto, (4,))
    assert len(data.train_x) == 10 and len(data.test_x) == 30
    together = np.concatenate([data.train_x, data.test_x])
    assert sorted(together[:, 0].tolist()) == sorted(x[:, 0].tolist())
    assert data.test_y.dtype == np.int64 and "arrays" in data.name


def test_npz_files_are_concatenated(tmp_path: Path) -> None:
    for i in range(2):
        np.savez(tmp_path / f"part{i}.npz", x=np.zeros((5, 2, 3)), labels=np.ones(5))
    data = load_dataset(str(tmp_path), DatasetFormat.arrays, (2, 3))
    assert len(data.train_x) + len(data.test_x) == 10


def test_image_folder_with_class_subfolders(tmp_path: Path) -> None:
    Image = pytest.importorskip("PIL.Image", reason="Pillow is needed for image folders")

    for label, name in enumerate(["cat", "dog"]):
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.new("RGB", (20, 10), (255 * label, 0, i)).save(tmp_path / name / f"{i}.png")
    data = load_dataset(str(tmp_path), DatasetFormat.auto, (3, 8, 8))
    x = np.concatenate([data.train_x, data.test_x])
    y = np.concatenate([data.train_y, data.test_y])
    assert x.shape == (6, 3, 8, 8) and 0 <= x.min() and x.max() <= 1
    assert np.allclose(x[y == 1][:, 0], 1.0) and np.allclose(x[y == 0][:, 0], 0.0)


def test_shape_mismatch_is_a_config_error(tmp_path: Path) -> None:
    np.save(tmp_path / "inputs.npy", np.zeros((4, 5), np.float32))
    np.save(tmp_path / "labels.npy", np.zeros(4))
    with pytest.raises(ConfigError, match=r"do not fit the model input \(4,\)"):
        load_dataset(str(tmp_path), DatasetFormat.auto, (4,))


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        load_dataset(str(tmp_path / "nope"), DatasetFormat.auto, (4,))
    with pytest.raises(ConfigError, match="No images"):
        load_dataset(str(tmp_path), DatasetFormat.images, (1, 8, 8))
