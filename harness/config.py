"""Structured configs: the schema Hydra validates every composed config against before any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from harness.backends.config import TargetConfig
from harness.backends.profile_config import ProfileConfig
from harness.backends.registry import check_target
from harness.core.errors import ConfigError
from harness.core.ranges import above, at_least, check_fields
from harness.energy.config import MeterConfig
from harness.generative.config import GenerativeConfig
from harness.models.config import ModelConfig
from harness.network.config import NetworkConfig
from harness.quantise.config import QuantConfig
from harness.scenarios.config import ScenarioConfig, apply_profile

#: Valid ranges of the numeric fields (every float must also be finite): harness/core/ranges.py.
BENCH_RANGES = {"seed": at_least(0), "fidelity_samples": at_least(1), "run_timeout_s": above(0),
                "memory_cap_mb": at_least(0, "a cap from the machine's memory (0: no cap)")}


















class Workload(str, Enum):
    """What a run measures."""

    tensor = "tensor"  # tensors in, tensors out: model × quant × target × scenario
    generative = "generative"  # token generation: the `generative` section (harness/generative)


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
    #: The path to a remote server (configs/network/): loopback (as it is) or an emulated
    #: profile, which `target=remote` records and checks against the link it connects through.
    network: NetworkConfig = field(default_factory=NetworkConfig)
    #: tensor (default) or generative; a generative model config (model=smollm2_135m) sets it.
    workload: Workload = Workload.tensor
    generative: GenerativeConfig = field(default_factory=GenerativeConfig)
    #: Per-operator profile after the trials (harness/backends/profile_config.py).
    profile: ProfileConfig = field(default_factory=ProfileConfig)
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
        """Check the top-level numbers, the scenario's minimums against its caps, and the
        backend's name and options: every value is checked before any work."""
        check_fields(self, "", BENCH_RANGES)
        apply_profile(self.scenario)  # raises ConfigError when min_* exceed max_*
        check_target(self.target)
        if self.network.kind != "auto" and self.target.backend != "remote":
            raise ConfigError(f"network={self.network.name} describes the path to a remote "
                              f"server, but target={self.target.name} runs on this host.",
                              "Use it with target=remote (against a server started with "
                              f"harness serve --network {self.network.name}), or drop it.")


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (called by the CLI before composing)."""
    cs = ConfigStore.instance()
    cs.store(name="bench_schema", node=BenchConfig)


def config_to_dict(cfg: Any) -> dict:
    """Return the resolved job config (without the hydra node) as plain JSON types."""
    data = OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)
    data.pop("hydra", None)
    return data
