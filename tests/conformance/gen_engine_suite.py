"""The conformance suite every generative engine passes (harness/generative/engine.py).

`engine_name` is parametrised over every engine registered in `harness.generative_engines`;
an engine whose import or probe fails here is skipped with that reason, so a new engine is
picked up as soon as its entry point is installed. Each engine loads one tiny model (2 layers,
hidden 64, random weights, 128-token context) once per module. ENGINE_OPTIONS gives an engine
the options it needs to run here (a remote engine's endpoint, for one).

Contract checked: exactly max_new_tokens ids for several lengths; on_token called with counts
>= 1 that add up to the tokens generated (once per token, or per step or chunk of several);
generate_batch returns one list per prompt, each of the asked length; the model's context and
vocabulary are known, and a prompt longer than the context is refused before any work;
describe() names the engine, device and weights in JSON types; close() may be called twice;
an unknown option is refused with the valid ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.core.errors import BackendUnavailable, ConfigError
from harness.generative.config import GenModelConfig, PromptConfig
from harness.generative.engine import ENGINES, GenerativeEngine, GenerativeSession, create_engine
from harness.generative.requests import build_prompts

#: options an engine needs to run in this suite (name -> generative.options)
ENGINE_OPTIONS: dict[str, dict[str, Any]] = {}
TINY_CONFIG = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32,
               "vocab_size": 512, "max_position_embeddings": 128, "rms_norm_eps": 1e-5,
               "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2}
DESCRIBE_KEYS = {"engine", "device", "weights"}
LENGTHS = (1, 2, 7, 16)


def tiny_model(cache_dir: Path) -> GenModelConfig:
    """Return the suite's model: a tiny Llama shape with seeded random weights."""
    return GenModelConfig(name="conformance_tiny", model_type="llama", config=dict(TINY_CONFIG),
                          source_note="conformance suite", cache_dir=str(cache_dir))


def make_engine(name: str) -> GenerativeEngine:
    """Return engine `name` with its suite options, or skip with why it cannot run here."""
    try:
        return create_engine(name, ENGINE_OPTIONS.get(name, {}))
    except BackendUnavailable as exc:
        pytest.skip(f"generative engine '{name}': {exc}")


@pytest.fixture(scope="module", params=ENGINES.names())
def engine_name(request: pytest.FixtureRequest) -> str:
    """Return each registered generative engine's name in turn."""
    return request.param


@pytest.fixture(scope="module")
def model_cfg(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> GenModelConfig:
    """Return the tiny model with a cache folder of its own per engine (conversions reused)."""
    return tiny_model(tmp_path_factory.mktemp(f"gen-{engine_name}"))


@pytest.fixture(scope="module")
def session(engine_name: str, model_cfg: GenModelConfig) -> Iterator[GenerativeSession]:
    """Return the engine's session on the tiny model (loaded once per engine)."""
    engine = make_engine(engine_name)
    try:
        loaded = engine.load(model_cfg, "cpu")
    except BackendUnavailable as exc:
        pytest.skip(f"generative engine '{engine_name}' cannot load here: {exc}")
    yield loaded
    loaded.close()


def prompt(n: int, seed: int = 0) -> list[int]:
    """Return n token ids in [3, 500) (clear of the tiny model's special ids)."""
    return [3 + (seed * 31 + 7 * i) % 497 for i in range(n)]


class GenEngineConformance:
    """The checks; a test module subclasses it (engine_name/session come from the fixtures)."""

    @pytest.mark.parametrize("length", LENGTHS)
    def test_exact_token_count_and_on_token(self, session: GenerativeSession,
                                            length: int) -> None:
        counts: list[int] = []
        ids = session.generate(prompt(12), length, counts.append)
        assert len(ids) == length, f"asked for {length} tokens, got {len(ids)}"
        assert all(isinstance(i, int) and 0 <= i < session.vocab_size for i in ids)
        assert sum(counts) == length and all(c >= 1 for c in counts), counts
        assert len(counts) <= length  # once per token, or once per chunk of several

    def test_generate_batch_lengths(self, session: GenerativeSession) -> None:
        counts: list[int] = []
        prompts = [prompt(10, seed) for seed in range(3)]
        out = session.generate_batch(prompts, 5, counts.append)
        assert [len(ids) for ids in out] == [5, 5, 5]
        assert sum(counts) == 15 and all(c >= 1 for c in counts), counts

    def test_context_is_known_and_checked(self, session: GenerativeSession) -> None:
        assert session.context_tokens > 0 and session.vocab_size > 0
        too_long = PromptConfig(input_tokens=session.context_tokens, output_tokens=8,
                                requests=1, warmup_requests=0)
        with pytest.raises(ConfigError, match="context"):
            build_prompts(too_long, session, 1)
        fits = PromptConfig(input_tokens=8, output_tokens=4, requests=1)
        assert [len(p) for p in build_prompts(fits, session, 2)] == [8, 8]

    def test_describe_names_engine_device_weights(self, session: GenerativeSession) -> None:
        described = session.describe()
        assert DESCRIBE_KEYS <= set(described), sorted(described)
        json.dumps(described)  # it goes into the record as it is

    def test_unknown_option_is_refused_with_the_valid_ones(self, engine_name: str) -> None:
        cls = make_engine(engine_name).__class__
        with pytest.raises(ConfigError, match="Valid options"):
            cls.parse_options({"no_such_option_xyz": 1})

    def test_close_twice(self, engine_name: str, model_cfg: GenModelConfig) -> None:
        engine = make_engine(engine_name)
        try:
            other = engine.load(model_cfg, "cpu")
        except BackendUnavailable as exc:
            pytest.skip(str(exc))
        other.close()
        other.close()
