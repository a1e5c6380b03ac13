"""The generative engine contract: load a model into a session that streams generated tokens.

Engines register in the `harness.generative_engines` entry-point group (as backends do in
`harness.backends`) and pass tests/conformance/gen_engine_suite.py. A session generates exactly
`max_new_tokens` tokens (EOS ignored) and calls `on_token(count)` as each step's tokens arrive,
so the caller timestamps arrivals with its own clock; a remote engine does the same per chunk.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from harness.backends.base import NoOptions
from harness.core.errors import BackendUnavailable, ConfigError
from harness.core.probe import Probe
from harness.core.registry import Registry
from harness.generative.config import GenModelConfig

#: Called once per decoding step with how many tokens arrived (1, or the batch size).
OnToken = Callable[[int], None]


class GenerativeSession(ABC):
    """A loaded model that generates; thread-safe enough for concurrent generate() calls."""

    #: Longest prompt + output the model takes (tokens).
    context_tokens: int = 0
    vocab_size: int = 0

    @abstractmethod
    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        """Generate exactly max_new_tokens tokens after prompt_ids; return the new token ids."""

    def generate_batch(self, prompts: Sequence[Sequence[int]], max_new_tokens: int,
                       on_token: OnToken) -> list[list[int]]:
        """Generate for equal-length prompts together (offline); default: one after another."""
        return [self.generate(p, max_new_tokens, on_token) for p in prompts]

    def tokenize(self, text: str) -> list[int]:
        """Return the token ids of `text`; engines without a tokenizer refuse."""
        raise ConfigError("This model has no tokenizer, so a prompt file cannot be used.",
                          "Use seeded token prompts (leave generative.prompts.file unset).")

    def logits(self, ids: Sequence[int]) -> Any:
        """Return float32 logits, shape [len(ids), vocab], of one teacher-forced pass over ids.

        Used by harness.generative.quality to judge a quantised model against its reference;
        engines that cannot expose logits refuse with BackendUnavailable.
        """
        raise BackendUnavailable(f"{type(self).__name__} does not expose logits, so its "
                                 "next-token agreement and KL divergence cannot be measured.",
                                 "Judge quality on an engine that does (transformers, "
                                 "onnxruntime-genai, llama.cpp).")

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Return provenance: engine version, device, dtype, weights (random or a folder)."""

    def close(self) -> None:
        """Release the model; the session is unusable afterwards."""


class GenerativeEngine(ABC):
    """A generative runtime. Subclasses set the class flags and implement probe and load."""

    name: ClassVar[str]
    extra: ClassVar[str] = ""  # pip extra installing the runtime
    options_cls: ClassVar[type] = NoOptions
    batched: ClassVar[bool] = False  # generate_batch runs prompts together

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = self.parse_options(options or {})

    @classmethod
    def parse_options(cls, raw: dict[str, Any]) -> Any:
        """Return the engine's options dataclass; ConfigError naming the valid keys."""
        valid = list(getattr(cls.options_cls, "__dataclass_fields__", {}))
        unknown = sorted(set(raw) - set(valid))
        if unknown:
            raise ConfigError(f"generative.options.{unknown[0]} is not an option of engine "
                              f"'{cls.name}'.", f"Valid options: {', '.join(valid) or 'none'}.")
        return cls.options_cls(**dict(raw))

    @abstractmethod
    def probe(self) -> Probe:
        """Return whether the engine can run here, with the reason and the fix."""

    @abstractmethod
    def version(self) -> str:
        """Return the runtime's version string."""

    @abstractmethod
    def load(self, model: GenModelConfig, device: str = "cpu") -> GenerativeSession:
        """Return a session for `model` on `device`; ModelError for a bad model folder."""


ENGINES: Registry[GenerativeEngine] = Registry("generative engine", GenerativeEngine,
                                               group="harness.generative_engines")


def create_engine(name: str, options: dict[str, Any] | None = None) -> GenerativeEngine:
    """Return the engine `name` with its options parsed; BackendUnavailable when it cannot run."""
    engine = ENGINES.get(name)(options)
    probe = engine.probe()
    if not probe.available:
        raise BackendUnavailable(f"Generative engine '{name}' cannot run here: {probe.reason}",
                                 _install_hint(engine.extra))
    return engine


def _install_hint(extra: str) -> str:
    return (f"Install it with `pip install -e '.[{extra}]'`." if extra
            else "Install the runtime the engine needs.")
