"""llama.cpp through llama-cpp-python: GGUF files (converted and quantised locally, or the user's).

Generation is a greedy loop over Llama.eval(): the prompt in one batched pass, then one token at
a time, argmax of the last logits, never stopping at EOS, so exactly max_new_tokens come out and
on_token(1) fires as each is picked. logits() decodes the ids with every position's logits on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from harness.core.errors import BackendUnavailable, ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.generative.config import GenModelConfig
from harness.generative.engine import GenerativeEngine, GenerativeSession, OnToken
from harness.generative.gguf_cache import (
    check_weight_format,
    gguf_for,
    is_gguf_path,
    sha256_of,
    tensor_types,
)

#: Context window when neither n_ctx nor a smaller trained context is given.
DEFAULT_N_CTX = 4096
INSTALL_NOTE = ("pip install -e '.[llamacpp]' builds llama.cpp from source (a C++ compiler and "
                "cmake needed; about 35 minutes on 2 busy cores, a few on 16)")


@dataclass
class LlamaCppOptions:
    """Options of engine=llama_cpp."""

    weight_format: str = "q8_0"  # f32 | f16 | q8_0 | q4_k_m (ignored for a user's .gguf file)
    threads: int | None = None  # decode and prefill threads; null: the physical cores
    n_ctx: int | None = None  # context window (tokens); null: the model's, at most 4096
    n_batch: int = 512  # prompt tokens per llama_decode call

    def __post_init__(self) -> None:
        check_weight_format(self.weight_format)
        for key in ("threads", "n_ctx", "n_batch"):
            value = getattr(self, key)
            if value is not None and int(value) < 1:
                raise ConfigError(f"generative.options.{key}={value} must be at least 1.",
                                  f"Set generative.options.{key} to a positive integer "
                                  "(or null for the default).")


class LlamaCppSession(GenerativeSession):
    """A llama_cpp.Llama on one GGUF file; calls are serialised (one llama context)."""

    def __init__(self, llm: Any, path: Path, cfg: GenModelConfig, options: LlamaCppOptions,
                 threads: int) -> None:
        self.llm, self.path, self.cfg, self.options, self.threads = llm, path, cfg, options, threads
        self.context_tokens = int(llm.n_ctx())
        self.vocab_size = int(llm.n_vocab())
        self._lock = threading.Lock()
        self._describe: dict[str, Any] | None = None

    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        """Generate exactly max_new_tokens tokens greedily (EOS ignored); return them."""
        self._check_fits(len(prompt_ids) + max_new_tokens)
        out: list[int] = []
        with self._lock:
            llm = self.llm
            llm.reset()
            llm.eval(list(prompt_ids))
            for step in range(max_new_tokens):
                token = self._argmax_last()
                out.append(token)
                on_token(1)
                if step + 1 < max_new_tokens:
                    llm.eval([token])
        if len(out) != max_new_tokens:
            raise MeasurementError(f"llama.cpp generated {len(out)} tokens, not "
                                   f"{max_new_tokens}.", "Report this as a bug.")
        return out

    def _argmax_last(self) -> int:
        import llama_cpp

        row = llama_cpp.llama_get_logits_ith(self.llm.ctx, -1)
        return int(np.ctypeslib.as_array(row, shape=(self.vocab_size,)).argmax())

    def tokenize(self, text: str) -> list[int]:
        """Return the token ids of `text` from the GGUF file's vocabulary (no BOS added)."""
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def logits(self, ids: Sequence[int]) -> Any:
        """Return float32 logits [len(ids), vocab] of one teacher-forced pass over ids."""
        self._check_fits(len(ids))
        rows = []
        with self._lock:
            llm = self.llm
            llm.reset()
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            for start in range(0, len(ids), llm.n_batch):
                chunk = list(ids[start:start + llm.n_batch])
                llm._batch.set_batch(batch=chunk, n_past=start, logits_all=True)
                llm._ctx.decode(llm._batch)
                rows.append(np.ctypeslib.as_array(llm._ctx.get_logits(),
                                                  shape=(len(chunk), self.vocab_size)).copy())
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        return np.concatenate(rows).astype(np.float32)

    def _check_fits(self, tokens: int) -> None:
        if tokens > self.context_tokens:
            raise ConfigError(f"{tokens} tokens (prompt + output) exceed llama.cpp's context "
                              f"of {self.context_tokens}.",
                              "Raise generative.options.n_ctx or use shorter prompts/outputs.")

    def describe(self) -> dict[str, Any]:
        """Return engine, versions, weight format, threads, the GGUF file and its tensor types."""
        if self._describe is None:
            import llama_cpp

            user_file = is_gguf_path(self.cfg)
            types = tensor_types(self.path)
            info: dict[str, Any] = {
                "engine": "llama_cpp", "llama_cpp_python": llama_cpp.__version__,
                "device": "cpu", "weight_format": ("from file" if user_file
                                                   else self.options.weight_format),
                "gguf_file_type": self.llm.metadata.get("general.file_type"),
                "threads": self.threads, "n_ctx": self.context_tokens,
                "n_batch": int(self.llm.n_batch),
                "system_info": llama_cpp.llama_print_system_info().decode(errors="replace"),
                "gguf_file": str(self.path), "gguf_sha256": sha256_of(self.path),
                "gguf_size_bytes": self.path.stat().st_size, "tensor_types": types,
                "parameter_count": int(llama_cpp.llama_model_n_params(self.llm.model)),
                "weights": ("user GGUF file" if user_file else
                            "local folder" if self.cfg.path else "random (seeded)")}
            if self.options.weight_format == "q4_k_m" and types["rows_not_multiple_of_256"]:
                info["quantisation_note"] = (
                    f"Q4_K/Q6_K need rows that are multiples of 256 weights; "
                    f"{types['rows_not_multiple_of_256']} of {types['of_matrices']} matrices "
                    "have other row lengths, so llama.cpp stored those in its fallback types "
                    "(Q4_K->Q5_0, Q6_K->Q8_0): see tensor_types")
            self._describe = info
        return dict(self._describe)

    def close(self) -> None:
        """Free the llama.cpp model and context."""
        with self._lock:
            if self.llm is not None:
                self.llm.close()
                self.llm = None


class LlamaCppEngine(GenerativeEngine):
    """llama.cpp (CPU) on GGUF weights: f32, f16, Q8_0, Q4_K_M made here, or a user's file."""

    name = "llama_cpp"
    extra = "llamacpp"
    options_cls = LlamaCppOptions

    def probe(self) -> Probe:
        """Return available when llama_cpp (llama-cpp-python) and gguf import."""
        for module, package in (("llama_cpp", "llama-cpp-python"), ("gguf", "gguf")):
            if find_spec(module) is None:
                return Probe(False, f"{package} is not installed; {INSTALL_NOTE}")
        return Probe(True, "llama-cpp-python (llama.cpp, CPU)")

    def version(self) -> str:
        """Return the llama-cpp-python version."""
        import llama_cpp

        return str(llama_cpp.__version__)

    def load(self, model: GenModelConfig, device: str = "cpu") -> LlamaCppSession:
        """Return a session on the GGUF file for model (converted and quantised if needed)."""
        if device != "cpu":
            raise BackendUnavailable(f"engine=llama_cpp runs on the CPU here, not '{device}' "
                                     "(the wheel is built without a GPU backend).",
                                     "Use device=cpu, or rebuild llama-cpp-python with "
                                     "CMAKE_ARGS=-DGGML_CUDA=on.")
        from llama_cpp import Llama

        opts = self.options
        threads = int(opts.threads or _physical_cores())
        path = gguf_for(model, opts.weight_format, threads)
        trained = _trained_context(path)
        n_ctx = int(opts.n_ctx or min(trained or DEFAULT_N_CTX, DEFAULT_N_CTX))
        llm = Llama(model_path=str(path), n_ctx=n_ctx, n_batch=min(opts.n_batch, n_ctx),
                    n_threads=threads, n_threads_batch=threads, logits_all=False,
                    n_gpu_layers=0, verbose=bool(os.environ.get("HARNESS_LLAMA_VERBOSE")))
        return LlamaCppSession(llm, path, model, opts, threads)


def _physical_cores() -> int:
    """llama.cpp's own default: physical cores (hyper-threads slow it), within our affinity."""
    import psutil

    cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    return max(1, min(cores, len(os.sched_getaffinity(0))))


def _trained_context(path: Path) -> int | None:
    import gguf

    reader = gguf.GGUFReader(str(path))
    for name, field in reader.fields.items():
        if name.endswith(".context_length"):
            return int(field.parts[field.data[0]][0])
    return None
