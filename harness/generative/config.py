"""The generative run's settings (`generative.*`): engine, model shape, prompts and scenario."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from harness.core.errors import ConfigError
from harness.core.ranges import above, at_least, check_fields


class GenScenario(str, Enum):
    """MLPerf LLM load patterns (plus a concurrency sweep)."""

    single_stream = "single_stream"  # one request in flight, back to back
    offline = "offline"  # every request at once; headline: output tokens/s
    server = "server"  # Poisson arrivals at rate_rps; valid if p99 TTFT and p99 TPOT meet bounds
    concurrency = "concurrency"  # N closed-loop users for each N in `users`


@dataclass
class GenModelConfig:
    """A model: a transformers architecture built from `config` with seeded random weights,
    or (`path`) a local folder with real weights, config and tokenizer."""

    name: str = "smollm2_135m"
    model_type: str = "llama"  # transformers' model_type (AutoConfig.for_model)
    config: dict[str, Any] = field(default_factory=dict)  # the published config.json fields
    path: str | None = None  # a local folder (save_pretrained); nothing is downloaded
    dtype: str = "float32"
    seed: int = 0
    source_note: str = ""  # where the shape comes from (the published config.json)
    cache_dir: str = "models/.cache"  # where converted folders go (the run sets BenchConfig's)

    def __post_init__(self) -> None:
        if self.dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"generative.model.dtype={self.dtype} is not supported.",
                              "Use float32, bfloat16 or float16.")


PROMPT_RANGES = {"input_tokens": at_least(1), "requests": at_least(1), "seed": at_least(0),
                 "warmup_requests": at_least(0)}


@dataclass
class PromptConfig:
    """Requests: `requests` prompts of `input_tokens` token ids (seeded, or from a text file),
    each generating exactly `output_tokens` tokens (EOS ignored)."""

    input_tokens: int = 128
    output_tokens: int = 64
    requests: int = 8
    warmup_requests: int = 1
    seed: int = 0
    file: str | None = None  # a text file, tokenised and cut into prompts of input_tokens

    def __post_init__(self) -> None:
        if self.output_tokens < 1:
            raise ConfigError(f"generative.prompts.output_tokens={self.output_tokens}: a "
                              "generative run must produce at least one token.",
                              "Set generative.prompts.output_tokens=N with N >= 1 (e.g. 64).")
        check_fields(self, "generative.prompts", PROMPT_RANGES)


SCENARIO_RANGES = {"rate_rps": above(0, "a rate found by search_rate, or none"),
                   "ttft_bound_ms": above(0), "tpot_bound_ms": above(0),
                   "search_budget_s": above(0), "confidence": above(0),
                   "server_workers": at_least(1), "offline_batch": at_least(1, "all at once")}


@dataclass
class GenScenarioConfig:
    """How requests are issued; server validity follows MLPerf's p99 TTFT / p99 TPOT rule."""

    name: GenScenario = GenScenario.single_stream
    rate_rps: float | None = None
    ttft_bound_ms: float = 2000.0
    tpot_bound_ms: float = 200.0
    search_rate: bool = False
    search_budget_s: float = 120.0
    server_workers: int = 1  # requests the engine serves at once (in-process: usually 1)
    offline_batch: int | None = None  # requests per batched generate; null: all at once
    users: list[int] = field(default_factory=lambda: [1, 2, 4])
    confidence: float = 0.95

    def __post_init__(self) -> None:
        self.name = GenScenario(self.name)
        check_fields(self, "generative.scenario", SCENARIO_RANGES)
        if self.name is GenScenario.server and not (self.rate_rps or self.search_rate):
            raise ConfigError("generative.scenario.name=server needs a request rate.",
                              "Set generative.scenario.rate_rps=R, or search_rate=true.")
        if not self.users or any(int(u) < 1 for u in self.users):
            raise ConfigError(f"generative.scenario.users={list(self.users)} is not a list of "
                              "positive user counts.",
                              "Write e.g. generative.scenario.users=[1,2,4].")


QUALITY_RANGES = {"prompts": at_least(1), "tokens": at_least(2)}


@dataclass
class GenQualityConfig:
    """The accuracy cost of the engine's weight format, judged against the transformers
    reference (float32) on fixed seeded prompts: next-token agreement and KL divergence;
    perplexity too when `text_file` is given (meaningful with real weights only)."""

    enabled: bool = False
    prompts: int = 4
    tokens: int = 64  # teacher-forced positions per prompt
    seed: int = 1
    text_file: str | None = None

    def __post_init__(self) -> None:
        check_fields(self, "generative.quality", QUALITY_RANGES)


@dataclass
class GenerativeConfig:
    """One generative run: engine × model × prompts × scenario."""

    engine: str = "transformers"
    options: dict[str, Any] = field(default_factory=dict)  # the engine's own (options_cls)
    model: GenModelConfig = field(default_factory=GenModelConfig)
    prompts: PromptConfig = field(default_factory=PromptConfig)
    scenario: GenScenarioConfig = field(default_factory=GenScenarioConfig)
    quality: GenQualityConfig = field(default_factory=GenQualityConfig)
