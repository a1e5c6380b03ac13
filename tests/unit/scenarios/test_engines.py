"""The scenario-engine registry: names checked when the config is built, with did-you-mean."""

from __future__ import annotations

import pytest

from harness.core.errors import ConfigError
from harness.scenarios import Engine, ScenarioConfig
from harness.scenarios.config import is_compliant
from harness.scenarios.engines import ENGINES, engine_names


def test_builtins_are_registered_through_the_entry_point_group() -> None:
    assert {"native", "loadgen"} <= set(engine_names())
    assert ENGINES.group == "harness.engines"


def test_unknown_engine_fails_when_the_config_is_built() -> None:
    with pytest.raises(ConfigError) as info:
        ScenarioConfig(engine="nonsense")
    text = f"{info.value} {info.value.hint}"
    assert "scenario engine 'nonsense'" in text and "loadgen, native" in text


def test_a_near_miss_gets_a_did_you_mean() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'loadgen'"):
        ScenarioConfig(engine="loadgn")


def test_engine_names_and_members_both_work() -> None:
    assert ScenarioConfig(engine="loadgen").engine is Engine.loadgen
    cfg = ScenarioConfig(engine=Engine.native, profile="mlperf")
    assert cfg.engine is Engine.native and not is_compliant(cfg)
    assert is_compliant(ScenarioConfig(engine=Engine.loadgen, profile="mlperf"))
    assert str(Engine.loadgen) == "loadgen"


def test_a_plugin_engine_becomes_an_engine_member(monkeypatch: pytest.MonkeyPatch) -> None:
    ENGINES.names()  # discover the entry points first, so the restored registry keeps them
    monkeypatch.setattr(ENGINES, "_entries", {**ENGINES._entries})
    ENGINES.register("turbo", "harness.scenarios.native_engine:run_native")
    cfg = ScenarioConfig(engine="turbo")
    assert cfg.engine == "turbo" and isinstance(cfg.engine, Engine) and cfg.engine.value == "turbo"
