"""Entry points: `harness-bench` (Hydra; one run or a multirun sweep)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from harness.config import register_configs
from harness.errors import HarnessError

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")


def config_to_dict(cfg: DictConfig) -> dict:
    """Return the resolved job config (without the hydra node) as plain JSON types."""
    data = OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)
    data.pop("hydra", None)
    return data


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _bench(cfg: DictConfig) -> str | dict:
    from harness import progress
    from harness.fleet import job_output_dir, job_return
    from harness.runner import run_composed

    hydra_cfg = HydraConfig.get()
    cfg.launcher = hydra_cfg.runtime.choices.get("hydra/launcher") or ""
    out_dir = job_output_dir(Path(hydra_cfg.runtime.output_dir), bool(cfg.host_folders))
    record = run_composed(cfg, out_dir)
    progress.report_run(record)
    return job_return(record, bool(cfg.host_folders))


def _first_set(preferred: str | None, fallback: str) -> str:
    return preferred if preferred else fallback


def bench() -> None:
    """Console script `harness-bench`: compose the config with Hydra and run it."""
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    register_configs()
    if not OmegaConf.has_resolver("first_set"):
        OmegaConf.register_new_resolver("first_set", _first_set)
    try:
        _bench()
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
