"""Handwritten digits: a small CNN trained at first use on scikit-learn's bundled 8×8 digits."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from harness.core.errors import ModelError
from harness.core.pickle_scan import check_torch_file
from harness.zoo.entry import Dataset, ZooEntry
from harness.zoo.layers import conv_bn_relu, seeded

log = logging.getLogger(__name__)

INPUT_SHAPE = (1, 8, 8)
NUM_CLASSES = 10
SEED = 88
MIN_ACCURACY = 0.95
#: Everything that decides the trained weights; change any of it and the cache key changes.
RECIPE = {
    "arch": "conv16-conv32-maxpool-linear/v1",
    "data": "sklearn.load_digits/16, stratified 75/25 split, random_state=0",
    "optimizer": "adam",
    "lr": 3e-3,
    "epochs": 20,
    "batch_size": 32,
    "seed": SEED,
}
_LOAD_ERRORS = (OSError, EOFError, RuntimeError, ValueError, TypeError, pickle.UnpicklingError,
                ModelError)


class DigitsCNN(nn.Module):
    """Two 3×3 conv + BN + ReLU layers (16, 32 filters), 2×2 max pool, dense to 10 classes."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            conv_bn_relu(1, 16, 3, 1, 1), conv_bn_relu(16, 32, 3, 1, 1), nn.MaxPool2d(2)
        )
        self.classifier = nn.Linear(32 * 4 * 4, NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return logits (N, 10) for images (N, 1, 8, 8) scaled to [0, 1]."""
        return self.classifier(torch.flatten(self.features(x), 1))


@dataclass(frozen=True)
class TrainedWeights:
    """A trained state dict, the cache file it lives in, and whether this call trained it."""

    state: dict[str, torch.Tensor]
    path: Path
    trained: bool


def dataset() -> Dataset:
    """Return the 1,797 digits as float32 (N, 1, 8, 8) in [0, 1] with a fixed 75/25 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=0
    )
    return Dataset("sklearn-digits", train_x, train_y, test_x, test_y)


def cache_path(cache_dir: Path) -> Path:
    """Return the cache file for the current recipe and torch version."""
    key = json.dumps({"recipe": RECIPE, "torch": torch.__version__}, sort_keys=True)
    return Path(cache_dir) / f"digits-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"


def _train(data: Dataset) -> dict[str, torch.Tensor]:
    """Return the state dict after training with the fixed recipe, single-threaded."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(SEED)
            model = DigitsCNN().train()
            x, y = torch.from_numpy(data.train_x), torch.from_numpy(data.train_y)
            optimiser = torch.optim.Adam(model.parameters(), lr=RECIPE["lr"])
            loss_fn = nn.CrossEntropyLoss()
            for _ in range(RECIPE["epochs"]):
                for batch in torch.randperm(len(x)).split(RECIPE["batch_size"]):
                    optimiser.zero_grad()
                    loss_fn(model(x[batch]), y[batch]).backward()
                    optimiser.step()
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _read(path: Path) -> dict[str, torch.Tensor] | None:
    """Return the cached state dict, or None when it is missing or does not load into the model."""
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
        check_torch_file(data, path.name)  # the same pickle rule as every model file
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        seeded(DigitsCNN, SEED).load_state_dict(state)
    except _LOAD_ERRORS as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        log.warning("Digits weight cache %s is unreadable (%s); retraining.", path, reason)
        return None
    return state


def _write(path: Path, state: dict[str, torch.Tensor]) -> None:
    """Write the state dict atomically (temp file in the same folder, then os.replace)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    except OSError as exc:
        log.warning("Cannot cache digits weights in %s (%s); they will be retrained.", path, exc)
        return
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        log.warning("Cannot cache digits weights in %s (%s); they will be retrained.", path, exc)


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    """Return the top-1 accuracy (fraction in [0, 1]) of `model` on inputs `x`, labels `y`."""
    model.eval()
    with torch.inference_mode():
        predicted = model(torch.from_numpy(x)).argmax(dim=1).numpy()
    return float((predicted == y).mean())


def load_or_train(cache_dir: Path) -> TrainedWeights:
    """Return cached weights for the current recipe, training and caching them on a miss."""
    path = cache_path(cache_dir)
    state = _read(path)
    if state is not None:
        return TrainedWeights(state, path, trained=False)
    data = dataset()
    state = _train(data)
    model = seeded(DigitsCNN, SEED)
    model.load_state_dict(state)
    top1 = accuracy(model, data.test_x, data.test_y)
    if top1 < MIN_ACCURACY:
        raise ModelError(
            f"The digits CNN reached only {top1:.1%} held-out top-1 with torch "
            f"{torch.__version__} (the zoo promises at least {MIN_ACCURACY:.0%}).",
            "Report this with your torch version; the training recipe needs retuning.",
        )
    _write(path, state)
    return TrainedWeights(state, path, trained=True)


def build(cache_dir: Path) -> nn.Module:
    """Return the trained digits CNN in eval mode (trains once, then loads from `cache_dir`)."""
    model = seeded(DigitsCNN, SEED)
    model.load_state_dict(load_or_train(cache_dir).state)
    return model.eval()


def entry() -> ZooEntry:
    """Return this model's zoo entry (registered in the harness.zoo entry-point group)."""
    return ZooEntry(name="digits",
                    description="Small CNN trained at first use on scikit-learn's 8×8 digits",
                    input_name="input", input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES,
                    task="classification", published_params=None, builder=build,
                    loader=dataset, weights="trained at first use on scikit-learn's 8x8 digits")
