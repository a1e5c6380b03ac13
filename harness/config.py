"""Structured configs: the schema Hydra validates every composed config against before any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore

from harness.energy.config import MeterConfig
from harness.models.input_config import InputSpec
from harness.ranges import Range, above, at_least, check_fields
from harness.scenarios.config import ScenarioConfig, apply_profile

#: Valid ranges of the numeric fields (every float must also be finite): harness/ranges.py.
MODEL_RANGES = {"batch_size": at_least(1), "opset": at_least(1), "export_atol": at_least(0),
                "accuracy_target": Range(0, 1, lo_open=True)}
QUANT_RANGES = {"calibration_size": at_least(1), "calibration_num_bins": at_least(2),
                "calibration_percentile": Range(0, 100, lo_open=True), "block_size": at_least(1)}
TARGET_RANGES = {"threads": at_least(1, "the runtime's default")}
BENCH_RANGES = {"seed": at_least(0), "fidelity_samples": at_least(1), "run_timeout_s": above(0),
                "memory_cap_mb": at_least(0, "a cap from the machine's memory (0: no cap)")}


class ModelSource(str, Enum):
    """Where a model comes from."""

    zoo = "zoo"  # a built-in architecture (model.name)
    onnx_file = "onnx_file"  # model.path: an .onnx file
    torch = "torch"  # model.module (_target_ + kwargs) or model.target/kwargs; model.weights
    torchscript = "torchscript"  # model.path: torch.jit.save file (needs trust_torchscript)
    pt2 = "pt2"  # model.path: torch.export.save file (.pt2)
    hf = "hf"  # model.path: a local Hugging Face model folder (extra `hf`)


class DatasetFormat(str, Enum):
    """Layout of a user data set folder (harness/accuracy/datasets.py)."""

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
    #: A user data set (replaces the zoo's): a folder of .npy/.npz files or class sub-folders.
    dataset_path: str | None = None
    dataset_format: DatasetFormat = DatasetFormat.auto
    #: MLPerf-style gate: quantised quality must reach this fraction of FP32 quality.
    accuracy_target: float = 0.99
    #: onnx_file, torchscript, pt2, hf: the model file or folder.
    path: str | None = None
    #: torch: `{_target_: pkg.mod.Net, width: 32}` for hydra.utils.instantiate, or target+kwargs.
    module: Any = None
    target: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: torch: a state-dict file, read with torch.load(weights_only=True).
    weights: str | None = None
    #: torchscript: TorchScript files carry code that runs when loaded; load only if true.
    trust_torchscript: bool = False
    #: Per input name: shape, dtype and fill (harness/models/input_config.py).
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    #: Task of a user model: classification (outputs are class scores) or other.
    task: str = "other"

    def __post_init__(self) -> None:
        check_fields(self, "model", MODEL_RANGES)


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
    activation_symmetric: bool = False
    weight_symmetric: bool | None = None  # None: onnxruntime's default (symmetric if signed)
    reduce_range: bool | None = None  # None: chosen from the CPU (VNNI -> False)
    # int8 static/dynamic, int16_static, int4_weight_only: what to leave alone
    op_types: list[str] = field(default_factory=list)
    nodes_to_exclude: list[str] = field(default_factory=list)
    # fp16: keep float32 model inputs/outputs (Casts inside) so callers feed float32
    keep_io_types: bool = True
    # int4_weight_only: weights per block of this many input channels
    block_size: int = 32

    def __post_init__(self) -> None:
        check_fields(self, "quant", QUANT_RANGES)


@dataclass
class TargetConfig:
    """A backend on a device, with the backend's own options (validated by the backend)."""

    name: str = "cpu"
    backend: str = "onnxruntime"
    device: str = "cpu"
    threads: int | None = None  # None: the runtime's default; else at least 1
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_fields(self, "target", TARGET_RANGES)


class Isolation(str, Enum):
    """Where a run executes."""

    process = "process"
    none = "none"


@dataclass
class BenchConfig:
    """One benchmark run: model × quant × target × scenario × meter."""

    model: ModelConfig = field(default_factory=ModelConfig)
    quant: QuantConfig = field(default_factory=QuantConfig)
    target: TargetConfig = field(default_factory=TargetConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    meter: MeterConfig = field(default_factory=MeterConfig)
    sweep: str = "single"
    results_dir: str = "results"
    cache_dir: str = "models/.cache"
    seed: int = 0
    fidelity_samples: int = 16
    #: process: each run in its own process (a crash or hang becomes a failed record); none:
    #: in the sweep's process (faster start, for debugging).
    isolation: Isolation = Isolation.process
    run_timeout_s: float = 900.0
    #: null: a cap from the machine's memory; 0: no cap; N > 0: kill a run above N MiB of RSS.
    memory_cap_mb: int | None = None
    #: Folder of an earlier sweep to complete: runs with a complete record there are kept.
    resume: str | None = None
    force: bool = False
    #: With resume: rerun every failed run (runs failed by run control, i.e. a time-out, the
    #: memory cap or a kill, are always rerun).
    retry_failed: bool = False
    #: Write records under <sweep>/<hostname>/ and return them to the driver (set by the
    #: cluster launchers, launcher=ray and launcher=slurm, whose jobs run on other hosts).
    host_folders: bool = False
    #: The Hydra launcher that ran the job (harness-bench fills it in; recorded, not measured).
    launcher: str = ""

    def __post_init__(self) -> None:
        """Check the top-level numbers and the scenario's minimums against its caps."""
        check_fields(self, "", BENCH_RANGES)
        apply_profile(self.scenario)  # raises ConfigError when min_* exceed max_*


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (called by the CLI before composing)."""
    cs = ConfigStore.instance()
    cs.store(name="bench_schema", node=BenchConfig)
