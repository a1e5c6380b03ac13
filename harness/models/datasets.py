"""User data sets from a folder: .npy/.npz arrays with labels, or images in class sub-folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.core.errors import ConfigError
from harness.models.config import DatasetFormat
from harness.models.safety import read_arrays
from harness.zoo.entry import Dataset

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
INPUT_KEYS = ("inputs", "x", "data")
LABEL_KEYS = ("labels", "y", "targets")
#: Share of the samples that forms the calibration ("train") split; the rest is evaluated.
CALIBRATION_FRACTION = 0.25


def _pick(arrays: dict[str, np.ndarray], keys: tuple[str, ...], where: Path) -> np.ndarray:
    for key in keys:
        if key in arrays:
            return arrays[key]
    raise ConfigError(f"{where} holds arrays {sorted(arrays)}, none named {' or '.join(keys)}.",
                      f"Save inputs as '{keys[0]}' and labels as 'labels' (np.savez).")


def _npy(path: Path) -> np.ndarray:
    arrays = read_arrays(path, "model.dataset_path")
    if "" not in arrays:
        raise ConfigError(f"{path} is an .npz archive, not an .npy array.",
                          "Save it with np.save (or rename it to .npz).")
    return arrays[""]


def _arrays(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs, labels) from inputs.npy + labels.npy, or every .npz file concatenated."""
    if (folder / "inputs.npy").is_file() and (folder / "labels.npy").is_file():
        return _npy(folder / "inputs.npy"), _npy(folder / "labels.npy")
    files = sorted(folder.glob("*.npz"))
    if not files:
        raise ConfigError(f"No inputs.npy + labels.npy and no .npz files in {folder}.",
                          "See harness/models/datasets.py for the expected layout.")
    xs, ys = [], []
    for path in files:
        arrays = read_arrays(path, "model.dataset_path")
        xs.append(_pick(arrays, INPUT_KEYS, path))
        ys.append(_pick(arrays, LABEL_KEYS, path))
    return np.concatenate(xs), np.concatenate(ys)


def _images(folder: Path, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs CHW in [0, 1], labels) from class sub-folders sorted by name."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ConfigError("An image-folder data set needs Pillow, which is not installed.",
                          "pip install pillow, or save the data as .npz arrays.") from exc
    if len(shape) != 3 or shape[0] not in (1, 3):
        raise ConfigError(f"Image data sets need a (1|3, H, W) model input; it is {shape}.",
                          "Use an arrays data set (.npy/.npz) for this model.")
    channels, height, width = shape
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    xs, ys = [], []
    for label, name in enumerate(classes):
        for path in sorted((folder / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                with Image.open(path) as img:
                    img = img.convert("L" if channels == 1 else "RGB").resize((width, height))
                    pixels = np.asarray(img, dtype=np.float32) / 255.0
                xs.append(pixels[None] if channels == 1 else pixels.transpose(2, 0, 1))
                ys.append(label)
    if not xs:
        raise ConfigError(f"No images in class sub-folders of {folder}.",
                          f"Put images ({', '.join(IMAGE_SUFFIXES)}) in <folder>/<class>/.")
    return np.stack(xs), np.asarray(ys)


def _detect(folder: Path) -> DatasetFormat:
    if any(folder.glob("*.npz")) or (folder / "inputs.npy").is_file():
        return DatasetFormat.arrays
    return DatasetFormat.images


def load_dataset(path: str, fmt: DatasetFormat, input_shape: tuple[int, ...],
                 seed: int = 0) -> Dataset:
    """Return the folder's samples split (seeded) into calibration ("train") and test parts."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"model.dataset_path={path} is not a folder.",
                          "Point it at a folder of .npy/.npz files or of class sub-folders.")
    fmt = _detect(folder) if fmt is DatasetFormat.auto else fmt
    x, y = _arrays(folder) if fmt is DatasetFormat.arrays else _images(folder, input_shape)
    x = x.astype(np.float32)
    if x.shape[1:] != tuple(input_shape) or len(x) != len(y) or len(x) < 2:
        raise ConfigError(
            f"Data set {folder}: inputs {x.shape}, labels {np.shape(y)} do not fit the model "
            f"input {tuple(input_shape)} (need N >= 2 samples of that shape, N labels).",
            "Preprocess the data to the model's input layout (batch dimension first).",
        )
    order = np.random.default_rng(seed).permutation(len(x))
    cut = max(1, int(len(x) * CALIBRATION_FRACTION))
    train, test = np.sort(order[:cut]), np.sort(order[cut:])
    name = f"{folder.name}({fmt.value})"
    return Dataset(name, x[train], y[train].astype(np.int64), x[test], y[test].astype(np.int64))
