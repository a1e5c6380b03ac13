"""Model zoo: the MLPerf Tiny reference architectures and a small trained digits CNN."""

from __future__ import annotations

from types import ModuleType

from harness.core.errors import unknown_name
from harness.zoo import autoencoder, digits, kws, resnet8, vww
from harness.zoo.entry import DEFAULT_CACHE_DIR, Dataset, ZooEntry
from harness.zoo.params import folded_parameter_count

__all__ = [
    "DEFAULT_CACHE_DIR",
    "Dataset",
    "ZooEntry",
    "folded_parameter_count",
    "get",
    "names",
]

_UNTRAINED = "; seeded random weights (no pretrained weights ship)"


def _mlperf_tiny(name: str, description: str, family: ModuleType, published: int) -> ZooEntry:
    """Return the entry of an MLPerf Tiny classifier family module."""
    return ZooEntry(
        name=name,
        description=description + _UNTRAINED,
        input_name="input",
        input_shape=family.INPUT_SHAPE,
        num_classes=family.NUM_CLASSES,
        task="classification",
        published_params=published,
        builder=family.build,
    )


_ENTRIES: dict[str, ZooEntry] = {
    entry.name: entry
    for entry in (
        _mlperf_tiny("kws", "MLPerf Tiny keyword spotting DS-CNN on 49×10 MFCCs", kws, 22_600),
        _mlperf_tiny("vww", "MLPerf Tiny visual wake words MobileNetV1-0.25, 96×96", vww, 210_900),
        _mlperf_tiny("resnet8", "MLPerf Tiny image classification ResNet-8", resnet8, 77_700),
        ZooEntry(
            name="autoencoder",
            description="MLPerf Tiny anomaly detection FC autoencoder, 640 in" + _UNTRAINED,
            input_name="input",
            input_shape=autoencoder.INPUT_SHAPE,
            num_classes=None,
            task="reconstruction",
            published_params=265_900,
            builder=autoencoder.build,
        ),
        ZooEntry(
            name="digits",
            description="Small CNN trained at first use on scikit-learn's 8×8 digits",
            input_name="input",
            input_shape=digits.INPUT_SHAPE,
            num_classes=digits.NUM_CLASSES,
            task="classification",
            published_params=None,
            builder=digits.build,
            loader=digits.dataset,
        ),
    )
}


def names() -> list[str]:
    """Return the zoo model names, sorted."""
    return sorted(_ENTRIES)


def get(name: str) -> ZooEntry:
    """Return the zoo entry called `name`; raise ConfigError (with did-you-mean) if unknown."""
    try:
        return _ENTRIES[name]
    except KeyError:
        raise unknown_name("model", name, names()) from None
