"""OpenVINO GenAI: a model folder converted locally to OpenVINO IR (fp32, int8 or int4 weights
through NNCF), generated with `openvino_genai.LLMPipeline`, each token streamed as it arrives.

The conversion (harness.generative.ov_convert) is cached under
`<cache_dir>/generative/ovgenai/<folder>-<weight_format>/`. Prompts go in as token ids
(TokenizedInputs), never as text. LLMPipeline does not expose logits, so `logits()` runs the
converted stateful IR directly with openvino.Core.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.generative.config import GenModelConfig
from harness.generative.engine import GenerativeEngine, GenerativeSession, OnToken
from harness.generative.model_folder import model_folder
from harness.generative.ov_convert import WEIGHT_FORMATS, converted_folder

PRECISIONS = ("f32", "bf16", "f16", "auto")
KV_PRECISIONS = ("u8", "f16", "bf16", "f32")
ATTENTION_BACKENDS = ("PA", "SDPA")


@dataclass
class OvGenAIOptions:
    """Options of engine=openvino_genai."""

    weight_format: str = "fp32"  # fp32 | int8 | int4 (NNCF weight-only compression)
    device: str = "CPU"  # an OpenVINO device name
    threads: int | None = None  # INFERENCE_NUM_THREADS; null: OpenVINO's default
    inference_precision: str = "f32"  # f32 | bf16 | f16 | auto (OpenVINO's default: bf16 on AMX)
    attention_backend: str | None = None  # PA | SDPA; null: openvino_genai's default
    kv_cache_precision: str | None = None  # u8 | f16 | bf16 | f32; null: OpenVINO's (CPU: u8)

    def __post_init__(self) -> None:
        _check("weight_format", self.weight_format, tuple(WEIGHT_FORMATS))
        _check("inference_precision", self.inference_precision, PRECISIONS)
        if self.attention_backend is not None:
            _check("attention_backend", self.attention_backend, ATTENTION_BACKENDS)
        if self.kv_cache_precision is not None:
            _check("kv_cache_precision", self.kv_cache_precision, KV_PRECISIONS)
        if self.threads is not None and int(self.threads) < 1:
            raise ConfigError(f"generative.options.threads={self.threads} is not a thread count.",
                              "Set generative.options.threads=N with N >= 1, or null.")

    def properties(self) -> dict[str, Any]:
        """Return the OpenVINO properties these options set."""
        props: dict[str, Any] = {}
        if self.inference_precision != "auto":
            props["INFERENCE_PRECISION_HINT"] = self.inference_precision
        if self.threads:
            props["INFERENCE_NUM_THREADS"] = int(self.threads)
        return props


def _check(name: str, value: Any, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ConfigError(f"generative.options.{name}={value} is not supported by engine "
                          f"'openvino_genai'.", f"Use one of: {', '.join(valid)}.")


def _streamer(og: Any, on_token: OnToken) -> Any:
    """Return an openvino_genai.StreamerBase that passes each write()'s token count to
    on_token and counts them."""

    class Streamer(og.StreamerBase):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def write(self, token: Any) -> Any:
            n = len(token) if isinstance(token, list) else 1
            self.count += n
            on_token(n)
            return og.StreamingStatus.RUNNING

        def end(self) -> None:
            return None

    return Streamer()


class OvGenAISession(GenerativeSession):
    """An LLMPipeline over a converted folder; generate() is greedy, exactly max_new_tokens."""

    def __init__(self, folder: Path, info: dict[str, Any], cfg: GenModelConfig,
                 options: OvGenAIOptions) -> None:
        import openvino_genai as og

        self.og, self.folder, self.info, self.cfg, self.options = og, folder, info, cfg, options
        props = options.properties()
        if options.attention_backend:
            props["ATTENTION_BACKEND"] = options.attention_backend
        if options.kv_cache_precision:
            props["KV_CACHE_PRECISION"] = options.kv_cache_precision
        self.pipe = og.LLMPipeline(str(folder), options.device, **props)
        hf = json.loads((folder / "config.json").read_text())
        self.context_tokens = int(hf.get("max_position_embeddings", 0) or 0)
        self.vocab_size = int(hf["vocab_size"])
        self._lock = threading.Lock()  # LLMPipeline runs one generate() at a time
        self._logits_model: Any = None

    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        """Generate exactly max_new_tokens tokens greedily (EOS ignored); return them."""
        import numpy as np
        import openvino as ov

        ids = np.asarray([list(prompt_ids)], dtype=np.int64)
        inputs = self.og.TokenizedInputs(ov.Tensor(ids), ov.Tensor(np.ones_like(ids)))
        config = self.pipe.get_generation_config()
        config.do_sample, config.ignore_eos = False, True
        config.max_new_tokens = config.min_new_tokens = int(max_new_tokens)
        streamer = _streamer(self.og, on_token)
        with self._lock:
            result = self.pipe.generate(inputs, config, streamer)
        new = [int(t) for t in result.tokens[0]]
        if len(new) != max_new_tokens or streamer.count != max_new_tokens:
            raise MeasurementError(f"openvino_genai generated {len(new)} tokens ({streamer.count} "
                                   f"streamed), not {max_new_tokens}.", "Report this as a bug.")
        return new

    def tokenize(self, text: str) -> list[int]:
        """Return the token ids of `text` from the converted OpenVINO tokenizer."""
        encoded = self.pipe.get_tokenizer().encode(text, add_special_tokens=False)
        return [int(t) for t in encoded.input_ids.data[0]]

    def logits(self, ids: Sequence[int]) -> Any:
        """Return float32 logits [len(ids), vocab]: one pass of the stateful IR from an empty
        cache (input_ids, attention_mask, position_ids, beam_idx)."""
        import numpy as np

        with self._lock:
            if self._logits_model is None:
                import openvino as ov

                self._logits_model = ov.Core().compile_model(
                    str(self.folder / "openvino_model.xml"), self.options.device,
                    self.options.properties())
            request = self._logits_model.create_infer_request()
        x = np.asarray([list(ids)], dtype=np.int64)
        request.reset_state()
        out = request.infer({"input_ids": x, "attention_mask": np.ones_like(x),
                             "position_ids": np.arange(x.shape[1], dtype=np.int64)[None],
                             "beam_idx": np.zeros(1, dtype=np.int32)})
        return np.array(out["logits"][0], dtype=np.float32)

    def describe(self) -> dict[str, Any]:
        """Return engine, versions, weight format, device, precision, converter and weights."""
        import openvino as ov
        import openvino_genai as og

        return {"engine": "openvino_genai", "openvino_genai": og.__version__.split("-")[0],
                "openvino": ov.__version__.split("-")[0], "device": self.options.device,
                "weight_format": self.options.weight_format,
                "dtype": self.options.weight_format,
                "inference_precision": self.options.inference_precision,
                "attention_backend": self.options.attention_backend or "openvino_genai default",
                "kv_cache_precision": self.options.kv_cache_precision or _default_kv_precision(
                    self.options.device),
                "threads": self.options.threads, "converter": self.info.get("converter"),
                "compression": self.info.get("compression"),
                "convert_s": self.info.get("convert_s"), "cache_hit": self.info.get("cache_hit"),
                "converted_folder": str(self.folder),
                "weights": "local folder" if self.cfg.path else "random (seeded)"}

    def close(self) -> None:
        """Drop the pipeline and the logits model."""
        with self._lock:
            self.pipe = self._logits_model = None


def _default_kv_precision(device: str) -> str:
    """Return OpenVINO's default KV cache precision on device, labelled as the default."""
    import openvino as ov

    try:
        kind = ov.Core().get_property(device, "KV_CACHE_PRECISION")
        return f"{kind.get_type_name()} (OpenVINO default)"
    except RuntimeError:
        return "OpenVINO default"


class OvGenAIEngine(GenerativeEngine):
    """OpenVINO GenAI's LLMPipeline on a locally converted model."""

    name = "openvino_genai"
    extra = "genai-ov"
    options_cls = OvGenAIOptions

    def probe(self) -> Probe:
        """Return available when openvino_genai, openvino_tokenizers, nncf and transformers
        import (openvino_genai fails to import when its version differs from openvino's)."""
        try:
            import nncf  # noqa: F401
            import openvino_genai  # noqa: F401
            import openvino_tokenizers  # noqa: F401
            import transformers  # noqa: F401
        except Exception as exc:  # ImportError, or a version mismatch raised at import
            return Probe(False, f"openvino_genai or its converter does not import: {exc}")
        return Probe(True, "openvino_genai, openvino_tokenizers, nncf and transformers")

    def version(self) -> str:
        """Return the openvino_genai version."""
        import openvino_genai

        return openvino_genai.__version__.split("-")[0]

    def load(self, model: GenModelConfig, device: str = "cpu") -> OvGenAISession:
        """Return a session: model's folder converted (or found in the cache) and loaded."""
        folder, info = converted_folder(model_folder(model, model.cache_dir), model.cache_dir,
                                        self.options.weight_format)
        return OvGenAISession(folder, info, model, self.options)
