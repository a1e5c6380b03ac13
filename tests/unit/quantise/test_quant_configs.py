"""Every configs/quant/*.yaml composes into a typed QuantConfig with the intended options."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from harness.config import BenchConfig, register_configs
from harness.quantise.config import CalibrationMethod, QuantType, Recipe
from harness.run.hydra_app import CONFIG_DIR

NAMES = sorted(p.stem for p in (Path(CONFIG_DIR) / "quant").glob("*.yaml"))


def _quant(name: str) -> BenchConfig:
    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return OmegaConf.to_object(compose("config", overrides=[f"quant={name}"]))


@pytest.mark.parametrize("name", NAMES)
def test_quant_config_composes_and_names_itself(name: str) -> None:
    assert _quant(name).quant.name == name


def test_variants_inherit_int8_static() -> None:
    per_tensor = _quant("int8_static_per_tensor").quant
    assert per_tensor.recipe is Recipe.int8_static and not per_tensor.per_channel
    s8s8 = _quant("int8_static_s8s8").quant
    assert s8s8.activation_type is QuantType.int8 and s8s8.activation_symmetric
    assert _quant("int8_static_entropy").quant.calibration_method is CalibrationMethod.entropy
    assert _quant("int16_static").quant.activation_type is QuantType.uint16


def test_presets_that_vary_onnxruntime_settings_pin_its_quantiser() -> None:
    assert _quant("int8_static").quant.quantiser == "auto"  # chosen per backend
    for preset in ("int8_static_ort", "int8_static_vww_mixed"):
        assert _quant(preset).quant.quantiser == "onnxruntime", preset
    assert _quant("int8_static_ort").quant.activation_symmetric is False
