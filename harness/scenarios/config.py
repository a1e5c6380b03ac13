"""Scenario configuration: one dataclass, Hydra/OmegaConf-compatible, validated here.

Profiles:

* ``quick``: short development runs. Results are always marked non-compliant.
* ``mlperf``: MLPerf Inference settings (``loadgen/mlperf.conf`` and LoadGen's
  ``TestSettings`` defaults), applied by :func:`apply_profile`:

  - every scenario: ``min_duration`` 600 s, no max duration, no max query count.
  - single-stream: p90; ``min_query_count`` 100. mlperf.conf sets none for SingleStream, so
    LoadGen's default (100) applies. Early stopping alone needs 64 queries (p90, 99 %
    confidence; :func:`harness.core.stats.early_stopping_min_queries`), which 100 implies; the
    "64" often quoted is that early-stopping floor, not a configured minimum.
  - multi-stream: p99 of 8-sample queries; ``min_query_count`` 662 (mlperf.conf), which is
    exactly the early-stopping floor for p99 at 99 % confidence.
  - server: p99 bound; ``min_query_count`` 100 (LoadGen default; the pre-v2.0 270336 rule was
    replaced by early stopping); latency bound from mlperf.conf's default of 10 ms unless set.
  - offline: one query of at least 24576 samples (mlperf.conf's cap for large data sets).

A compliant result additionally needs the ``loadgen`` engine: the native engine follows the
same semantics but is not LoadGen, so it never claims compliance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from harness.core.errors import ConfigError
from harness.core.ranges import Range, above, at_least, check_fields
from harness.core.registry import plugin_member
from harness.scenarios.engines import check_engine


class ScenarioName(str, Enum):
    """MLPerf LoadGen scenario."""

    single_stream = "single_stream"
    multi_stream = "multi_stream"
    offline = "offline"
    server = "server"
    cold_start = "cold_start"  # fresh processes, spawn to first result: scenarios/cold_start.py


class CompileCache(str, Enum):
    """Cold start: run fresh processes without the compiled-model cache, with it, or both."""

    off = "off"
    on = "on"
    both = "both"


class Engine(str, Enum):
    """Who drives the load: the harness's own loop, MLPerf LoadGen, or a plugin's engine.

    The engines themselves are in the `harness.engines` registry (harness/scenarios/engines.py).
    A plugin's name becomes a member on first use (`Engine("turbo")`), as ArtifactFormat does;
    whether it is registered is checked by ScenarioConfig."""

    native = "native"
    loadgen = "loadgen"

    @classmethod
    def _missing_(cls, value: object) -> Engine | None:
        if not (isinstance(value, str) and (value.isidentifier() or ":" in value)):
            return None
        return plugin_member(cls, value)

    def __str__(self) -> str:
        return self.value


class Profile(str, Enum):
    """quick: development, non-compliant; mlperf: MLPerf's durations and counts."""

    quick = "quick"
    mlperf = "mlperf"


HEADLINE_FRACTION = {
    ScenarioName.single_stream: 0.90,
    ScenarioName.multi_stream: 0.99,
    ScenarioName.server: 0.99,
}
MLPERF_MIN_DURATION_S = 600.0
MLPERF_MIN_QUERIES = {
    ScenarioName.single_stream: 100,
    ScenarioName.multi_stream: 662,
    ScenarioName.server: 100,
    ScenarioName.offline: 1,
}
MLPERF_OFFLINE_SAMPLES = 24576
MLPERF_SERVER_LATENCY_BOUND_MS = 10.0

#: The valid range of every numeric field, checked (with "finite") when a config is built.
RANGES = {
    "warmup_count": at_least(0), "warmup_s": at_least(0), "min_count": at_least(1),
    "min_duration_s": at_least(0), "max_count": at_least(1), "max_duration_s": above(0),
    "samples_per_query": at_least(1), "target_qps": above(0, "no fixed rate (search_qps)"),
    "latency_bound_ms": above(0, "MLPerf's 10 ms under profile=mlperf"),
    "search_budget_s": above(0), "offline_samples": at_least(1), "trials": at_least(1),
    "drift_threshold": above(0), "confidence": Range(0, 1, lo_open=True, hi_open=True),
    "seed": at_least(0), "cold_start_timeout_s": above(0), "max_in_flight": at_least(1),
}


@dataclass
class ScenarioConfig:
    """How to load the session and for how long; see the module docstring for profiles."""

    name: ScenarioName = ScenarioName.single_stream
    #: A name in the `harness.engines` registry (an Engine once the config is built); a str,
    #: so that a plugin's engine composes like the built-ins.
    engine: str = Engine.native.value
    profile: Profile = Profile.quick
    warmup_count: int = 20
    warmup_s: float = 0.2
    min_count: int = 200
    min_duration_s: float = 1.0
    max_count: int = 20000
    max_duration_s: float = 5.0
    samples_per_query: int = 1
    batch_samples: bool = False
    target_qps: float | None = None
    latency_bound_ms: float | None = None
    search_qps: bool = False
    search_budget_s: float = 30.0
    offline_samples: int = 1024
    trials: int = 1
    drift_threshold: float = 0.1
    confidence: float = 0.95
    seed: int = 0
    loadgen_trace: bool = True
    #: cold_start only: off, on or both (interleaved) for the runtime's compiled-model cache.
    #: A str, so that YAML's `on`/`off` (read as booleans) compose too.
    compile_cache: str = CompileCache.both.value
    #: cold_start only: the longest one fresh process may take (s) before it is killed.
    cold_start_timeout_s: float = 300.0
    #: server only: queries that may be in flight at once (1: the next query waits for the
    #: previous one, as one application thread would; N: N concurrent clients, needed for a
    #: remote server's dynamic batching to form batches; the session must support it).
    max_in_flight: int = 1

    def __post_init__(self) -> None:
        """Coerce the enums and check every field, so a bad value fails at composition."""
        self.engine = Engine(check_engine(self.engine))  # unknown: the valid names + did-you-mean
        try:
            self.name = ScenarioName(self.name)
            self.profile = Profile(self.profile)
        except ValueError as exc:
            raise ConfigError(f"Bad scenario setting: {exc}.",
                              "Use one of the names listed in configs/scenario/*.yaml.") from exc
        self.compile_cache = compile_cache_of(self.compile_cache).value  # str: re-validated
        check_fields(self, "scenario", RANGES)
        if self.name is ScenarioName.cold_start and self.profile is Profile.mlperf:
            raise ConfigError("scenario.name=cold_start has no MLPerf profile (MLPerf does not "
                              "measure start-up).", "Use scenario.profile=quick.")
        if self.name is ScenarioName.server and not (self.target_qps or self.search_qps):
            raise ConfigError("scenario.name=server needs scenario.target_qps (queries/s).",
                              "Set scenario.target_qps=<queries/s> or scenario.search_qps=true.")
        if self.max_in_flight > 1 and self.name is not ScenarioName.server:
            raise ConfigError(f"scenario.max_in_flight={self.max_in_flight} applies to the "
                              f"server scenario only, not {self.name.value}.",
                              "Use scenario=server, or drop scenario.max_in_flight.")
        if self.max_in_flight > 1 and self.engine is not Engine.native:
            raise ConfigError(f"scenario.max_in_flight={self.max_in_flight} is implemented by "
                              f"the native engine only, not {self.engine}.",
                              "Use scenario.engine=native, or scenario.max_in_flight=1.")
        if (self.name is ScenarioName.server and not self.latency_bound_ms
                and self.profile is not Profile.mlperf):
            raise ConfigError("scenario.name=server needs scenario.latency_bound_ms.",
                              "Set scenario.latency_bound_ms (MLPerf's default is 10 ms).")


def compile_cache_of(value: object) -> CompileCache:
    """Return the CompileCache for a config value (YAML's on/off arrive as booleans)."""
    if isinstance(value, CompileCache):
        return value
    if isinstance(value, bool):
        value = "on" if value else "off"
    try:
        return CompileCache(value)
    except ValueError:
        raise ConfigError(f"scenario.compile_cache={value!r} is not a cache setting.",
                          "Use off (no compiled-model cache), on (every process finds the cache "
                          "a first process filled) or both (off and on, interleaved).") from None


def validate(cfg: ScenarioConfig) -> ScenarioConfig:
    """Return cfg if its minimums fit under its caps, or raise ConfigError naming the keys.

    Each field is checked when the config is built (`__post_init__`); this checks the pairs,
    which intermediate `replace` calls may break for a moment (see harness/run/measure.py).
    """
    for low, high in (("min_count", "max_count"), ("min_duration_s", "max_duration_s")):
        if getattr(cfg, low) > getattr(cfg, high):
            raise ConfigError(f"scenario.{low}={getattr(cfg, low)!r} exceeds scenario.{high}="
                              f"{getattr(cfg, high)!r}.",
                              f"Raise scenario.{high} or lower scenario.{low}.")
    return cfg


def apply_profile(cfg: ScenarioConfig) -> ScenarioConfig:
    """Return cfg with MLPerf's minimum duration and counts applied when profile is mlperf."""
    if cfg.profile is not Profile.mlperf or cfg.name is ScenarioName.cold_start:
        return validate(cfg)
    far = 10**9
    return validate(replace(
        cfg, min_duration_s=max(cfg.min_duration_s, MLPERF_MIN_DURATION_S),
        min_count=max(cfg.min_count, MLPERF_MIN_QUERIES[cfg.name]),
        max_duration_s=max(cfg.max_duration_s, 4 * MLPERF_MIN_DURATION_S),
        max_count=max(cfg.max_count, far),
        samples_per_query=8 if cfg.name is ScenarioName.multi_stream else cfg.samples_per_query,
        offline_samples=max(cfg.offline_samples, MLPERF_OFFLINE_SAMPLES),
        latency_bound_ms=cfg.latency_bound_ms or MLPERF_SERVER_LATENCY_BOUND_MS,
    ))


def is_compliant(cfg: ScenarioConfig) -> bool:
    """Return True only for the mlperf profile run through LoadGen itself."""
    return cfg.profile is Profile.mlperf and cfg.engine is Engine.loadgen
