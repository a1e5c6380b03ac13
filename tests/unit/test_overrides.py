"""Open mappings (model.inputs, target.options, meter.options) take plain overrides."""

from __future__ import annotations

import pytest

from harness.core.errors import ConfigError
from harness.models.config import InputSpec, ModelConfig
from harness.run.overrides import open_mapping_overrides


def test_plain_keys_in_open_mappings_become_add_or_override() -> None:
    argv = ["-m", "model.inputs.x.shape=[1,8]", "target.options.io_binding=true",
            "+meter.options.idle_w=3", "model.batch_size=2", "~target.options.strict"]
    assert open_mapping_overrides(argv) == [
        "-m", "++model.inputs.x.shape=[1,8]", "++target.options.io_binding=true",
        "+meter.options.idle_w=3", "model.batch_size=2", "~target.options.strict"]


def test_input_mappings_become_input_specs_and_unknown_keys_are_named() -> None:
    cfg = ModelConfig(inputs={"x": {"shape": [1, 8], "dtype": "int64"}})
    assert cfg.inputs["x"] == InputSpec(shape=[1, 8], dtype="int64")
    with pytest.raises(ConfigError, match="model.inputs.x key 'shpe'.*shape"):
        ModelConfig(inputs={"x": {"shpe": [1, 8]}})
    with pytest.raises(ConfigError, match="must be a mapping"):
        ModelConfig(inputs={"x": 3})


def test_generative_engine_options_take_plain_overrides() -> None:
    argv = ["generative.options.weight_format=int4", "generative.engine=onnxruntime_genai"]
    assert open_mapping_overrides(argv) == ["++generative.options.weight_format=int4",
                                            "generative.engine=onnxruntime_genai"]
