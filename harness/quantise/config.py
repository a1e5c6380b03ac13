"""QuantConfig: the `quant` config group, validated before any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from harness.core.ranges import Range, at_least, check_fields

QUANT_RANGES = {"calibration_size": at_least(1), "calibration_num_bins": at_least(2),
                "calibration_percentile": Range(0, 100, lo_open=True), "block_size": at_least(1)}


class Recipe(str, Enum):
    """Quantisation recipes; handlers are keyed by this enum and the artifact format."""

    fp32 = "fp32"
    fp16 = "fp16"
    int8_dynamic = "int8_dynamic"
    int8_static = "int8_static"
    int16_static = "int16_static"
    int4_weight_only = "int4_weight_only"


class CalibrationMethod(str, Enum):
    """How int8 static calibration picks activation ranges."""

    minmax = "minmax"
    entropy = "entropy"
    percentile = "percentile"


class QuantType(str, Enum):
    """Integer element types for activations and weights (16-bit: int16_static only)."""

    int8 = "int8"
    uint8 = "uint8"
    int16 = "int16"
    uint16 = "uint16"


@dataclass
class QuantConfig:
    """A quantisation recipe and its options; each option names the recipes it applies to."""

    name: str = "fp32"
    recipe: Recipe = Recipe.fp32
    # int8_static / int16_static: calibration on `calibration_size` fixed, recorded samples
    calibration_method: CalibrationMethod = CalibrationMethod.minmax
    calibration_size: int = 64
    calibration_percentile: float = 99.999
    calibration_num_bins: int = 2048  # histogram bins (entropy, percentile); ORT's entropy
    # default of 128 equals its quantised-bin count, so it could never clip: entropy == minmax
    per_channel: bool = True
    activation_type: QuantType = QuantType.uint8
    weight_type: QuantType = QuantType.int8
    activation_symmetric: bool | None = None  # None: the quantiser's default for the backend
    weight_symmetric: bool | None = None  # None: onnxruntime's default (symmetric if signed)
    reduce_range: bool | None = None  # None: chosen from the CPU (VNNI -> False)
    # int8 static/dynamic, int16_static, int4_weight_only: what to leave alone
    op_types: list[str] = field(default_factory=list)
    nodes_to_exclude: list[str] = field(default_factory=list)
    # fp16: keep float32 model inputs/outputs (Casts inside) so callers feed float32
    keep_io_types: bool = True
    # int4_weight_only: weights per block of this many input channels
    block_size: int = 32
    # int8_static on ONNX: which library quantises the graph: auto (chosen per backend,
    # harness/quantise/defaults.py), onnxruntime, or nncf (OpenVINO's post-training quantiser,
    # extra `nncf`); a plugin adds others as `onnx.int8_static.<name>`
    quantiser: str = "auto"

    def __post_init__(self) -> None:
        check_fields(self, "quant", QUANT_RANGES)
