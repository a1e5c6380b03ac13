"""Composed configs are validated against the schema before any work, naming key and values."""

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import ConfigCompositionException, MissingConfigException
from omegaconf import OmegaConf

from harness.config import BenchConfig, register_configs
from harness.core.errors import ConfigError
from harness.quantise.config import Recipe
from harness.run.hydra_app import CONFIG_DIR


def _compose(*overrides: str) -> BenchConfig:
    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return OmegaConf.to_object(compose("config", overrides=list(overrides)))


def test_defaults_compose_to_typed_config() -> None:
    cfg = _compose()
    assert isinstance(cfg, BenchConfig)
    assert (cfg.model.name, cfg.quant.recipe, cfg.target.backend) == ("resnet8", Recipe.fp32,
                                                                       "onnxruntime")


def test_every_group_option_composes() -> None:
    for group, option in [("model", "kws"), ("quant", "int8_static"), ("target", "torch_cpu"),
                          ("scenario", "server"), ("meter", "none")]:
        _compose(f"{group}={option}")


def test_unknown_group_option_lists_the_valid_ones() -> None:
    with pytest.raises(MissingConfigException) as info:
        _compose("quant=int9")
    assert "int8_static" in str(info.value.options) or "int8_static" in str(info.value)


def test_bad_enum_value_names_key_and_values() -> None:
    with pytest.raises(ConfigCompositionException) as info:
        _compose("quant.recipe=int9")
    text = str(info.value.__cause__ or info.value)
    assert "recipe" in text and "int8_static" in text


def test_wrong_type_is_rejected() -> None:
    with pytest.raises(ConfigCompositionException) as info:
        _compose("model.batch_size=lots")
    assert "batch_size" in str(info.value.__cause__ or info.value)


def test_unknown_key_is_rejected() -> None:
    with pytest.raises(ConfigCompositionException) as info:
        _compose("model.batchsize=4")
    assert "batchsize" in str(info.value.__cause__ or info.value)


def test_profile_defaults_to_int8_runs_and_checks_its_counts() -> None:
    cfg = _compose()
    assert (cfg.profile.enabled, cfg.profile.runs, cfg.profile.warmup_runs) == (None, 20, 2)
    assert cfg.profile.wanted(Recipe.int8_static) and cfg.profile.wanted(Recipe.int8_dynamic)
    assert not cfg.profile.wanted(Recipe.fp32)
    assert _compose("profile.enabled=true").profile.wanted(Recipe.fp32)
    assert not _compose("profile.enabled=false").profile.wanted(Recipe.int8_static)
    with pytest.raises(ConfigError, match=r"profile.runs=0 is out of range"):
        _compose("profile.runs=0")
