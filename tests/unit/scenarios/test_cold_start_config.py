"""scenario=cold_start settings: bad values fail at composition with the fix."""

from __future__ import annotations

import pytest

from harness.core.errors import ConfigError
from harness.scenarios.config import CompileCache, ScenarioConfig


def test_yaml_booleans_mean_on_and_off() -> None:
    assert ScenarioConfig(name="cold_start", compile_cache=True).compile_cache == CompileCache.on
    assert ScenarioConfig(name="cold_start", compile_cache=False).compile_cache == CompileCache.off


def test_a_bad_compile_cache_names_the_valid_settings() -> None:
    with pytest.raises(ConfigError, match="compile_cache='maybe'.*off.*on.*both"):
        ScenarioConfig(name="cold_start", compile_cache="maybe")


def test_cold_start_has_no_mlperf_profile() -> None:
    with pytest.raises(ConfigError, match="profile=quick"):
        ScenarioConfig(name="cold_start", profile="mlperf")


def test_the_default_scenario_composes_through_hydra() -> None:
    """OmegaConf re-validates the dataclass: the stored setting must survive a second pass."""
    from omegaconf import OmegaConf

    cfg = OmegaConf.to_object(OmegaConf.structured(ScenarioConfig(name="cold_start")))
    assert cfg.compile_cache == "both"


@pytest.mark.parametrize(("backend", "why"), [
    ("torch", "target.options.compile=true"),
    ("executorch", "compiled ahead of time at export"),
    ("litert", "CompiledModel API"),
])
def test_a_backend_without_a_cache_says_why_and_runs_off_only(backend: str, why: str) -> None:
    from harness.backends.config import TargetConfig
    from harness.backends.registry import create_backend
    from harness.scenarios.cold_start import cache_settings

    pytest.importorskip({"torch": "torch", "executorch": "executorch.runtime",
                         "litert": "ai_edge_litert.interpreter"}[backend])
    found = create_backend(TargetConfig(name=backend, backend=backend))
    settings, note = cache_settings(found, CompileCache.both)
    assert settings == ["off"] and why in note
    with pytest.raises(ConfigError, match="compile_cache=on"):
        cache_settings(found, CompileCache.on)


def test_litert_imports_its_runtime_in_the_import_phase() -> None:
    """Without runtime_modules, LiteRT's import would be counted as the harness adapter's."""
    pytest.importorskip("ai_edge_litert.interpreter")
    from harness.backends.litert_backend import LiteRTBackend

    assert LiteRTBackend.runtime_modules == ("ai_edge_litert.interpreter",)


def test_torch_compile_reports_inductor_cache_hits_from_its_counters() -> None:
    """The cold start's loaded_from_cache for torch.compile comes from torch._dynamo's counters."""
    pytest.importorskip("torch")
    from torch._dynamo.utils import counters

    from harness.backends.torch_backend import compile_cache_counts

    counters.clear()
    counters["inductor"]["fxgraph_cache_miss"] += 1
    counters["inductor"]["pattern_matcher_count"] += 3  # not a cache counter
    assert compile_cache_counts() == {"inductor.fxgraph_cache_miss": 1}
    counters["aot_autograd"]["autograd_cache_hit"] += 1
    assert compile_cache_counts()["aot_autograd.autograd_cache_hit"] == 1
    counters.clear()
