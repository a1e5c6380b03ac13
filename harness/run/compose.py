"""Compose the BenchConfig harness-bench would run, for commands outside the Hydra app
(`harness audit`, `harness serve`): the same overrides, open mappings and validation."""

from __future__ import annotations

from collections.abc import Sequence

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.config import BenchConfig, register_configs
from harness.core.errors import ConfigError, reason_of
from harness.run.hydra_app import CONFIG_DIR, register_resolvers
from harness.run.overrides import open_mapping_overrides


def compose_config(overrides: Sequence[str]) -> BenchConfig:
    """Return the validated BenchConfig for `overrides`; ConfigError naming a bad override."""
    register_configs()
    register_resolvers()
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            cfg = compose("config", overrides=open_mapping_overrides(list(overrides)))
        return OmegaConf.to_object(cfg)  # type: ignore[return-value]
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(f"The overrides do not compose: {reason_of(exc)}",
                          "Check the key and value against the config groups in configs/ "
                          "(`harness-bench --help` lists them); keys under target.options, "
                          "meter.options and model.inputs need no '+'.") from exc
