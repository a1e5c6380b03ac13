"""compose_config (harness audit, harness serve): the same overrides harness-bench takes."""

from __future__ import annotations

import pytest

from harness.core.errors import ConfigError
from harness.run.compose import compose_config


def test_an_open_mapping_key_needs_no_plus() -> None:
    cfg = compose_config(["model=resnet8", "target=cpu", "target.options.allow_spinning=false"])
    assert cfg.target.options["allow_spinning"] is False


def test_a_key_that_does_not_exist_is_a_config_error_not_a_traceback() -> None:
    with pytest.raises(ConfigError, match="target.bogus"):
        compose_config(["model=resnet8", "target.bogus=1"])


def test_an_unknown_group_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="do not compose"):
        compose_config(["model=no_such_model"])


def test_a_generative_engine_option_needs_no_plus() -> None:
    cfg = compose_config(["model=smollm2_135m", "scenario=gen_single_stream",
                          "generative.options.threads=1"])
    assert cfg.generative.options["threads"] == 1
