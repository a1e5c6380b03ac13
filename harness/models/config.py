"""Per-input settings in `model.inputs.<name>`: shape, dtype and how the values are filled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError, unknown_name
from harness.core.ranges import Range, at_least, check_fields

#: `model.task` of a model that is not from the zoo -> what its first output holds.
USER_TASKS = {
    "classification": "class scores (N, classes); data set labels are class indices",
    "ctc": "per-step CTC class scores (N, steps, classes), blank = class 0; labels are class "
           "index sequences padded with -1",
    "binary": "one probability per row (N, 1), positive at >= 0.5; labels are 0 or 1",
    "other": "anything; judged by fidelity to FP32 only",
}
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


def input_spec(name: str, value: Any) -> InputSpec:
    """Return `value` (an InputSpec or a mapping of its fields) as the InputSpec of input `name`."""
    if isinstance(value, InputSpec):
        return value
    if not isinstance(value, Mapping):
        raise ConfigError(f"model.inputs.{name} must be a mapping, not {value!r}.",
                          f"Write e.g. model.inputs.{name}.shape=[1,128].")
    valid = [f.name for f in fields(InputSpec)]
    unknown = sorted(set(value) - set(valid))
    if unknown:
        raise unknown_name(f"model.inputs.{name} key", str(unknown[0]), valid)
    return InputSpec(**{str(k): v for k, v in value.items()})

MODEL_RANGES = {"batch_size": at_least(1), "opset": at_least(1), "export_atol": at_least(0),
                "accuracy_target": Range(0, 1, lo_open=True)}


class ModelSource(str, Enum):
    """Where a model comes from."""

    zoo = "zoo"  # a built-in architecture (model.name)
    onnx_file = "onnx_file"  # model.path: an .onnx file
    torch = "torch"  # model.module (_target_ + kwargs) or model.target/kwargs; model.weights
    torchscript = "torchscript"  # model.path: torch.jit.save file (needs trust_torchscript)
    pt2 = "pt2"  # model.path: torch.export.save file (.pt2)
    hf = "hf"  # model.path: a local Hugging Face model folder (extra `hf`)
    tflite_file = "tflite_file"  # model.path: a .tflite file, run as it is (extra `litert`)


class DatasetFormat(str, Enum):
    """Layout of a user data set folder (harness/models/datasets.py)."""

    auto = "auto"
    arrays = "arrays"
    images = "images"


@dataclass
class ModelConfig:
    """Which model to benchmark and how to export it."""

    name: str = "resnet8"
    source: ModelSource = ModelSource.zoo
    batch_size: int = 1
    opset: int = 18
    dynamic_batch: bool = True
    export_atol: float = 1e-4
    #: Transformer encoders (BERT family): also run onnxruntime's transformer optimizer on the
    #: export (Attention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization fused
    #: offline). Off by default: slower on onnxruntime CPU (docs/transformer_export.md).
    transformer_fusions: bool = False
    #: A user data set (replaces the zoo's): a folder of .npy/.npz files or class sub-folders.
    dataset_path: str | None = None
    dataset_format: DatasetFormat = DatasetFormat.auto
    #: MLPerf-style gate: quantised quality must reach this fraction of FP32 quality.
    accuracy_target: float = 0.99
    #: onnx_file, torchscript, pt2, hf, tflite_file: the model file or folder.
    path: str | None = None
    #: torch: `{_target_: pkg.mod.Net, width: 32}` for hydra.utils.instantiate, or target+kwargs.
    module: Any = None
    target: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: torch: a state-dict file, read with torch.load(weights_only=True).
    weights: str | None = None
    #: torchscript: TorchScript files carry code that runs when loaded; load only if true.
    trust_torchscript: bool = False
    #: Per input name: shape, dtype and fill (an InputSpec each, built in __post_init__; typed
    #: Any so that `model.inputs.<name>.shape=[...]` can add an input on the command line).
    inputs: dict[str, Any] = field(default_factory=dict)
    #: Task of a user model (USER_TASKS: classification, ctc, binary, other): the task metric.
    task: str = "other"

    def __post_init__(self) -> None:
        check_fields(self, "model", MODEL_RANGES)
        self.inputs = {str(k): input_spec(str(k), v) for k, v in self.inputs.items()}
