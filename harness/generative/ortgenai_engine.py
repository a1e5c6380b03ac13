"""onnxruntime-genai: a model folder built to ONNX by its model builder (fp32, int8 or int4),
cached, and generated from with og.Generator, one decoding step per on_token call.

The folder comes from model_folder() (a published shape with seeded random weights, or
`model.path`); ortgenai_build runs the builder once per folder and weight format. Generation is
greedy with min_length = max_length = prompt + max_new_tokens, so EOS never stops it early.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.errors import BackendUnavailable, ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.generative.config import GenModelConfig
from harness.generative.engine import GenerativeEngine, OnToken
from harness.generative.inprocess import (
    LoadedModelSession,
    module_version,
    probe_modules,
    weights_label,
)
from harness.generative.model_folder import model_folder
from harness.generative.ortgenai_build import (
    WEIGHT_FORMATS,
    BuiltModel,
    build_model,
    parameter_count,
)

ALL_FORMATS = sorted({f for formats in WEIGHT_FORMATS.values() for f in formats})


@dataclass
class OrtGenaiOptions:
    """Options of engine=onnxruntime_genai."""

    weight_format: str = "fp32"  # fp32 | int8 | int4 (cuda also fp16, bf16): the builder's -p
    threads: int | None = None  # ONNX Runtime intra-op threads; null: its default
    execution_provider: str | None = None  # cpu | cuda; null: the run's target.device
    builder_options: dict[str, Any] = field(default_factory=dict)  # builder --extra_options

    def __post_init__(self) -> None:
        if self.weight_format not in ALL_FORMATS:
            raise ConfigError(f"generative.options.weight_format={self.weight_format} is not a "
                              "format onnxruntime-genai's builder writes.",
                              f"Use one of {', '.join(ALL_FORMATS)} (on CPU: "
                              f"{', '.join(WEIGHT_FORMATS['cpu'])}).")
        if self.execution_provider not in (None, *WEIGHT_FORMATS):
            raise ConfigError(f"generative.options.execution_provider="
                              f"{self.execution_provider} is not supported.",
                              f"Use one of {', '.join(WEIGHT_FORMATS)}, or leave it unset.")


class OrtGenaiSession(LoadedModelSession):
    """An og.Model shared by per-request og.Generators (independent, so threads may overlap)."""

    def __init__(self, og: Any, built: BuiltModel, folder: Path, cfg: GenModelConfig,
                 provider: str, options: OrtGenaiOptions) -> None:
        self.og, self.built, self.folder, self.cfg = og, built, folder, cfg
        self.provider, self.options = provider, options
        config = og.Config(str(built.path))
        if options.threads:
            config.overlay(json.dumps({"model": {"decoder": {"session_options": {
                "intra_op_num_threads": int(options.threads)}}}}))
        config.clear_providers()
        if provider != "cpu":
            config.append_provider(provider)
        self.model = og.Model(config)
        genai = json.loads((built.path / "genai_config.json").read_text())["model"]
        self.context_tokens = int(genai.get("context_length", 0))
        self.vocab_size = int(genai.get("vocab_size", 0))
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _generator(self, batch: int, max_length: int, min_length: int) -> Any:
        if self.model is None:
            raise MeasurementError("This onnxruntime-genai session is closed.",
                                   "Load the engine again.")
        if max_length > self.context_tokens:
            raise ConfigError(f"Prompt + output = {max_length} tokens exceeds the model's "
                              f"context of {self.context_tokens}.",
                              "Lower generative.prompts.input_tokens or output_tokens.")
        params = self.og.GeneratorParams(self.model)
        params.set_search_options(max_length=max_length, min_length=min_length,
                                  do_sample=False, batch_size=batch)
        return self.og.Generator(self.model, params)

    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        """Generate exactly max_new_tokens tokens greedily; return them."""
        return self.generate_batch([prompt_ids], max_new_tokens, on_token)[0]

    def generate_batch(self, prompts: Sequence[Sequence[int]], max_new_tokens: int,
                       on_token: OnToken) -> list[list[int]]:
        """Generate for equal-length prompts in one batched generator; on_token(batch) a step."""
        n, batch = len(prompts[0]), len(prompts)
        if any(len(p) != n for p in prompts):
            raise ConfigError("A batched generate needs prompts of equal length.",
                              "Use seeded prompts or a prompt file cut to input_tokens.")
        total = n + max_new_tokens
        gen = self._generator(batch, total, total)
        gen.append_tokens(np.asarray([list(p) for p in prompts], dtype=np.int32))
        steps = 0
        while not gen.is_done():
            gen.generate_next_token()
            steps += 1
            on_token(batch)
        new = [list(gen.get_sequence(i))[n:] for i in range(batch)]
        if steps != max_new_tokens or any(len(x) != max_new_tokens for x in new):
            raise MeasurementError(f"onnxruntime-genai generated {[len(x) for x in new]} tokens "
                                   f"in {steps} steps, not {max_new_tokens}.",
                                   "Report this as a bug (min_length should hold EOS off).")
        return [[int(t) for t in x] for x in new]

    def logits(self, ids: Sequence[int]) -> Any:
        """Return float32 logits [len(ids), vocab]: one teacher-forced pass (append_tokens over
        all ids, then the model's `logits` output, which holds every position). A build whose
        output keeps only the last position falls back to appending ids one at a time."""
        gen = self._generator(1, len(ids) + 1, 0)
        gen.append_tokens(np.asarray([list(ids)], dtype=np.int32))
        out = np.asarray(gen.get_output("logits"), dtype=np.float32)
        if out.ndim == 3 and out.shape[1] == len(ids):
            return out[0]
        gen, rows = self._generator(1, len(ids) + 1, 0), []
        for token in ids:
            gen.append_tokens(np.asarray([[token]], dtype=np.int32))
            rows.append(np.asarray(gen.get_logits(), dtype=np.float32).reshape(-1))
        return np.stack(rows)

    def tokenize(self, text: str) -> list[int]:
        """Return the token ids of `text` from the model folder's tokenizer."""
        from harness.generative.hf_model import load_tokenizer

        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = load_tokenizer(str(self.folder))
        return list(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def describe(self) -> dict[str, Any]:
        """Return engine, versions, weight format, provider, builder, sizes, cache and weights."""
        import onnxruntime

        files = [p for p in self.built.path.iterdir() if p.name.startswith("model.onnx")]
        return {"engine": "onnxruntime-genai", "onnxruntime_genai": self.og.__version__,
                "onnxruntime": onnxruntime.__version__, "device": self.provider,
                "execution_provider": self.provider,
                "weight_format": self.options.weight_format,
                "threads": self.options.threads, "builder": self.built.manifest.get("builder"),
                "builder_options": self.options.builder_options,
                "built_model_dir": str(self.built.path), "build_cache_hit": self.built.cache_hit,
                "build_s": self.built.build_s,
                "first_build_s": self.built.manifest.get("build_s"),
                "model_file_bytes": sum(p.stat().st_size for p in files),
                "parameter_count": parameter_count(self.folder),
                "source_folder": str(self.folder),
                "weights": weights_label(self.cfg)}


class OrtGenaiEngine(GenerativeEngine):
    """onnxruntime-genai's Generator on a model its builder converted (CPU, or CUDA builds)."""

    name = "onnxruntime_genai"
    extra = "genai-ort"
    options_cls = OrtGenaiOptions
    batched = True

    def probe(self) -> Probe:
        """Return available when onnxruntime_genai imports and the builder's transformers is."""
        return probe_modules([("onnxruntime_genai", "onnxruntime-genai"),
                              ("transformers", "transformers (its model builder's reader)")],
                             "onnxruntime-genai and its model builder",
                             imported={"onnxruntime_genai"})

    def version(self) -> str:
        """Return the onnxruntime-genai version."""
        return module_version("onnxruntime_genai")

    def load(self, model: GenModelConfig, device: str = "cpu") -> OrtGenaiSession:
        """Return a session: the folder built (or taken from the cache) and loaded."""
        import onnxruntime_genai as og

        og.disable_telemetry_events()  # its non-essential usage events: none from a benchmark
        opts = self.options
        provider = opts.execution_provider or ("cuda" if device.startswith("cuda") else "cpu")
        if opts.weight_format not in WEIGHT_FORMATS[provider]:
            raise ConfigError(f"generative.options.weight_format={opts.weight_format} is not "
                              f"built for execution provider {provider}.",
                              f"Use one of {', '.join(WEIGHT_FORMATS[provider])}.")
        if provider == "cuda" and not og.is_cuda_available():
            raise BackendUnavailable("This onnxruntime-genai has no CUDA support.",
                                     "Install onnxruntime-genai-cuda, or run on the CPU.")
        folder = model_folder(model, model.cache_dir)
        built = build_model(folder, model.cache_dir, opts.weight_format, provider,
                            dict(opts.builder_options), og.__version__)
        return OrtGenaiSession(og, built, folder, model, provider, opts)
