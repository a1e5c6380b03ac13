"""Per-input settings in `model.inputs.<name>`: shape, dtype and how the values are filled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import ConfigError

#: numpy dtype names an input may take.
DTYPES = ("float32", "float16", "int64", "int32", "bool")


@dataclass
class InputSpec:
    """One model input: full shape (batch first), dtype, and one fill (range, constant or .npy).

    shape: the shape of one batch, e.g. [1, 128]; fills the model's dynamic dimensions.
    dtype: float32, float16, int64, int32 or bool (default: the model's own).
    low/high: uniform values in [low, high) (integers: numpy's integers(low, high)).
    value: every element set to this constant.
    data: an .npy file of samples along axis 0, taken in order and cycled.
    Default fill: floats seeded standard-normal noise, integers 0, bools True.
    """

    shape: list[int] | None = None
    dtype: str | None = None
    low: float | None = None
    high: float | None = None
    value: float | None = None
    data: str | None = None

    def __post_init__(self) -> None:
        if self.dtype is not None and self.dtype not in DTYPES:
            raise ConfigError(f"model.inputs: dtype '{self.dtype}' is not supported.",
                              f"Use one of: {', '.join(DTYPES)}.")
        if self.shape is not None and any(int(d) < 0 for d in self.shape):
            raise ConfigError(f"model.inputs: shape {list(self.shape)} has a negative size.",
                              "Give every dimension a size >= 0, e.g. shape=[1,128].")
        fills = [self.value is not None, self.data is not None,
                 self.low is not None or self.high is not None]
        if sum(fills) > 1:
            raise ConfigError("model.inputs: set only one of value, data or low/high per input.",
                              "Remove the others.")
        if (self.low is None) != (self.high is None):
            raise ConfigError("model.inputs: low and high go together.",
                              "Set both, e.g. low=0 high=1000.")
        if self.low is not None and self.high is not None and self.high <= self.low:
            raise ConfigError(f"model.inputs: high={self.high} is not above low={self.low}.",
                              "Use high > low.")
        if self.data is not None and Path(self.data).suffix != ".npy":
            raise ConfigError(f"model.inputs: data={self.data} is not an .npy file.",
                              "Save the samples with numpy.save (one sample per row).")

    def describe(self) -> str:
        """Return how this input is filled, for the run record."""
        if self.value is not None:
            return f"constant {self.value}"
        if self.data is not None:
            return f"npy {self.data}"
        if self.low is not None:
            return f"uniform [{self.low}, {self.high})"
        return "default"
