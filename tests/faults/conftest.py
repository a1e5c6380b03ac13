"""Compose a real config and run it in-process, as the CLI would, into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from harness.config import register_configs
from harness.records.schema import RunRecord
from harness.run.hydra_app import CONFIG_DIR, _first_set
from harness.run.job import run_composed

FAST = [
    "scenario.warmup_count=2", "scenario.warmup_s=0.01", "scenario.min_count=20",
    "scenario.min_duration_s=0.05", "scenario.max_duration_s=0.3", "meter.idle_baseline_s=0",
    "isolation=none",
]


def compose_config(*overrides: str):
    """Return the composed DictConfig for the overrides (raises what Hydra raises)."""
    register_configs()
    if not OmegaConf.has_resolver("first_set"):
        OmegaConf.register_new_resolver("first_set", _first_set)
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export/quantise cache for the whole fault suite."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def run_config(tmp_path: Path, cache_dir: Path):
    """Return a function that runs one composed config in-process and returns its record."""

    def run(*overrides: str) -> RunRecord:
        cfg = compose_config("model=digits", f"cache_dir={cache_dir}", *FAST, *overrides)
        return run_composed(cfg, tmp_path / "out")

    return run
