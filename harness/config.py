"""Structured configs: the schema Hydra validates every composed config against before any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore

from harness.energy.config import MeterConfig
from harness.scenarios.config import ScenarioConfig


class ModelSource(str, Enum):
    """Where a model comes from."""

    zoo = "zoo"


@dataclass
class ModelConfig:
    """Which model to benchmark and how to export it."""

    name: str = "resnet8"
    source: ModelSource = ModelSource.zoo
    batch_size: int = 1
    opset: int = 18
    dynamic_batch: bool = True
    export_atol: float = 1e-4


class Recipe(str, Enum):
    """Quantisation recipes; handlers are keyed by this enum and the artifact format."""

    fp32 = "fp32"
    int8_dynamic = "int8_dynamic"
    int8_static = "int8_static"


class CalibrationMethod(str, Enum):
    """How int8 static calibration picks activation ranges."""

    minmax = "minmax"
    entropy = "entropy"
    percentile = "percentile"


class QuantType(str, Enum):
    """8-bit integer element types."""

    int8 = "int8"
    uint8 = "uint8"


@dataclass
class QuantConfig:
    """A quantisation recipe and its options (the int8_static ones apply to that recipe only)."""

    name: str = "fp32"
    recipe: Recipe = Recipe.fp32
    calibration_method: CalibrationMethod = CalibrationMethod.minmax
    calibration_size: int = 64
    per_channel: bool = True
    activation_type: QuantType = QuantType.uint8
    weight_type: QuantType = QuantType.int8
    reduce_range: bool | None = None
    op_types: list[str] = field(default_factory=list)
    nodes_to_exclude: list[str] = field(default_factory=list)


@dataclass
class TargetConfig:
    """A backend on a device, with the backend's own options (validated by the backend)."""

    name: str = "cpu"
    backend: str = "onnxruntime"
    device: str = "cpu"
    threads: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


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


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (called by the CLI before composing)."""
    cs = ConfigStore.instance()
    cs.store(name="bench_schema", node=BenchConfig)
