"""The reference engine: transformers / torch, eager (torch.compile optional), streamed.

Random-weight models come from a published config (configs/model/*.yaml) with seeded weights;
`model.path` loads a local folder with real weights (local_files_only, no remote code). Each
decoding step's tokens reach `on_token` through a BaseStreamer as soon as generate() emits them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.generative.config import GenModelConfig
from harness.generative.engine import GenerativeEngine, OnToken
from harness.generative.hf_model import build_model, load_tokenizer
from harness.generative.inprocess import (
    LoadedModelSession,
    module_version,
    probe_modules,
    weights_label,
)


@dataclass
class TransformersOptions:
    """Options of engine=transformers."""

    compile: bool = False  # torch.compile the forward (slow first request; CPU-capable)
    threads: int | None = None  # torch intra-op threads; null: torch's default


class _Streamer:
    """A transformers BaseStreamer: the first put() is the prompt, each later one a step."""

    def __init__(self, on_token: OnToken) -> None:
        self.on_token = on_token
        self.prompt_seen = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        self.on_token(int(value.numel()))

    def end(self) -> None:
        return None


class TransformersSession(LoadedModelSession):
    """A causal LM in eval mode; generate() is greedy, exactly max_new_tokens long."""

    def __init__(self, model: Any, tokenizer: Any, cfg: GenModelConfig, device: str,
                 options: TransformersOptions) -> None:
        import torch

        self.torch, self.model, self.tokenizer, self.cfg = torch, model, tokenizer, cfg
        self.device, self.options = device, options
        self.context_tokens = int(getattr(model.config, "max_position_embeddings", 0) or 0)
        self.vocab_size = int(model.config.vocab_size)
        self._lock = threading.Lock()  # only for close()
        if options.compile:
            self.model.forward = torch.compile(self.model.forward, dynamic=True)

    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        """Generate exactly max_new_tokens tokens greedily; return them."""
        return self.generate_batch([prompt_ids], max_new_tokens, on_token)[0]

    def generate_batch(self, prompts: Sequence[Sequence[int]], max_new_tokens: int,
                       on_token: OnToken) -> list[list[int]]:
        """Generate for equal-length prompts in one batched generate(); return new ids each."""
        torch = self.torch
        ids = torch.tensor([list(p) for p in prompts], dtype=torch.long, device=self.device)
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens,
                streamer=_Streamer(on_token), pad_token_id=0)
        new = out[:, ids.shape[1]:].tolist()
        if any(len(n) != max_new_tokens for n in new):
            raise MeasurementError(f"transformers generated {[len(n) for n in new]} tokens, "
                                   f"not {max_new_tokens}.", "Report this as a bug.")
        return new

    def tokenize(self, text: str) -> list[int]:
        """Return the token ids of `text` from the folder's tokenizer."""
        if self.tokenizer is None:
            return super().tokenize(text)
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def logits(self, ids: Sequence[int]) -> Any:
        """Return float32 logits [len(ids), vocab] of one forward pass over ids."""
        torch = self.torch
        with torch.inference_mode():
            x = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
            return self.model(input_ids=x).logits[0].float().cpu().numpy()

    def describe(self) -> dict[str, Any]:
        """Return engine, versions, device, dtype, parameter count, threads and weights."""
        import transformers

        return {"engine": "transformers", "transformers": transformers.__version__,
                "torch": self.torch.__version__, "device": self.device,
                "dtype": self.cfg.dtype, "compiled": self.options.compile,
                "threads": self.torch.get_num_threads(),
                "parameter_count": sum(p.numel() for p in self.model.parameters()),
                "weights": weights_label(self.cfg)}


class TransformersEngine(GenerativeEngine):
    """transformers' generate() on torch (CPU or CUDA)."""

    name = "transformers"
    extra = "hf"
    options_cls = TransformersOptions
    batched = True

    def probe(self) -> Probe:
        """Return available when transformers imports."""
        return probe_modules([("transformers", "transformers")], "transformers and torch")

    def version(self) -> str:
        """Return the transformers version."""
        return module_version("transformers")

    def load(self, model: GenModelConfig, device: str = "cpu") -> TransformersSession:
        """Return a session: random weights from model.config, or the folder at model.path."""
        import torch

        if self.options.threads:
            torch.set_num_threads(int(self.options.threads))
        tokenizer = load_tokenizer(model.path) if model.path else None
        return TransformersSession(build_model(model, device), tokenizer, model, device,
                                   self.options)
