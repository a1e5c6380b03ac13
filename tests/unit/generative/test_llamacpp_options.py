"""engine=llama_cpp's options and probe: these need neither llama.cpp nor gguf installed."""

from __future__ import annotations

from importlib.util import find_spec

import pytest

from harness.core.errors import ConfigError
from harness.generative.engine import ENGINES
from harness.generative.llamacpp_engine import LlamaCppEngine


def test_the_engine_is_registered_as_llama_cpp() -> None:
    assert ENGINES.get("llama_cpp") is LlamaCppEngine


def test_an_unknown_weight_format_is_a_config_error_listing_the_valid_ones() -> None:
    engine_cls = LlamaCppEngine
    with pytest.raises(ConfigError) as err:
        engine_cls.parse_options({"weight_format": "q3_k_s"})
    assert "q3_k_s" in err.value.message
    assert "f32, f16, q8_0, q4_k_m" in err.value.hint
    with pytest.raises(ConfigError):
        engine_cls.parse_options({"threads": 0})


def test_the_probe_says_how_to_install_llama_cpp_when_it_is_absent() -> None:
    probe = LlamaCppEngine().probe()
    if find_spec("llama_cpp") is None:
        assert not probe.available
        assert "pip install -e '.[llamacpp]'" in probe.reason
        assert "from source" in probe.reason
    else:
        assert probe.available, probe.reason
