"""generative.engine=openai_remote: a model behind an OpenAI-compatible streaming endpoint (vLLM,
llama.cpp's llama-server, SGLang, TGI, transformers serve, a cloud API), measured from this
client with the harness's TTFT / TPOT definitions.

Each request streams (SSE, stream_options.include_usage); on_token is called per chunk as it
arrives (harness.generative.openai_stream counts the chunk's tokens). load() checks the model is
served, finds how the server takes the prompt (token ids, else text of the exact length from the
model folder's tokenizer) and how it ignores EOS, with one 2-token request per try.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.backends.remote_client import ServerError
from harness.backends.remote_network import network_section
from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.generative.config import GenModelConfig
from harness.generative.engine import GenerativeEngine, GenerativeSession, OnToken
from harness.generative.openai_http import OpenAIHttp, Reply
from harness.generative.openai_options import OpenAIOptions
from harness.generative.openai_prompts import TextPrompts
from harness.generative.openai_server import check_model, server_info
from harness.generative.openai_stream import StreamCount, request_body

PROBE_PROMPT = [5, 6, 7, 8]


class OpenAISession(GenerativeSession):
    """Requests to one served model; each generate() is one streamed request."""

    def __init__(self, o: OpenAIOptions, http: OpenAIHttp, cfg: GenModelConfig,
                 info: dict[str, Any]) -> None:
        self.o, self.http, self.cfg, self.info = o, http, cfg, info
        self.path = "/chat/completions" if o.endpoint == "chat" else "/completions"
        config = _model_config(cfg)
        self.vocab_size = int(config.get("vocab_size") or 0)
        self.context_tokens = int(config.get("max_position_embeddings") or 0)
        self._prompts: TextPrompts | None = None
        self.prompt_format = self.eos_knob = ""
        #: updated as requests finish (the record keeps this same dict)
        self.stream_stats = {"requests": 0, "chunks": 0, "tokens": 0, "merged_tokens": 0}

    def _text_prompts(self) -> TextPrompts:
        if self._prompts is None:
            from harness.generative.model_folder import model_folder

            self._prompts = TextPrompts(model_folder(self.cfg, self.cfg.cache_dir))
        return self._prompts

    def _prompt(self, ids: Sequence[int], fmt: str) -> Sequence[int] | str:
        return list(ids) if fmt == "ids" else self._text_prompts().text(ids)

    def _send(self, prompt_ids: Sequence[int], n: int, on_token: OnToken, fmt: str,
              knob: str) -> tuple[Reply, StreamCount]:
        body = request_body(self.o.model, self.o.endpoint, self._prompt(prompt_ids, fmt), n, knob)
        count = StreamCount(on_token, self.o.endpoint, self.info["server"]["describe"])
        return self.http.post_stream(self.path, body, count.event), count

    def plan(self) -> None:
        """Find the prompt format and EOS knob the server accepts (one tiny request per try)."""
        formats = [self.o.prompt_format] if self.o.prompt_format != "auto" else (
            ["text"] if self.o.endpoint == "chat" else ["ids", "text"])
        knobs = [self.o.eos_knob] if self.o.eos_knob != "auto" else [
            "ignore_eos", "generation_config", "none"]
        refusals = []
        for fmt in formats:
            for knob in knobs:
                reply, _ = self._send(PROBE_PROMPT, 2, lambda k: None, fmt, knob)
                if reply.status < 300:
                    self._check_streamed(reply)
                    self.prompt_format, self.eos_knob = fmt, knob
                    return
                self._check_refusal(reply)
                refusals.append(f"{fmt}/{knob}: {reply.status} {_detail(reply)}")
        raise ServerError(f"The server at {self.o.url} refused every form of request "
                          f"({'; '.join(refusals)}).",
                          "Set generative.options.prompt_format and eos_knob to what it takes, or "
                          "check generative.options.endpoint (completions or chat).")

    def _check_streamed(self, reply: Reply) -> None:
        if reply.body is not None or "text/event-stream" not in reply.headers.get(
                "content-type", ""):
            raise MeasurementError(
                f"The endpoint {self.o.url}{self.path} does not stream: it answered one "
                f"{reply.headers.get('content-type', 'untyped')} body to stream=true, so TTFT "
                "cannot be measured (the first token arrives with the last).",
                "Point generative.options.url at a server that streams server-sent events "
                "(vLLM, llama-server, TGI, transformers serve, an OpenAI-compatible cloud API).")

    def _check_refusal(self, reply: Reply) -> None:
        if reply.status in (401, 403):
            raise ServerError(f"The server at {self.o.url} refused the API key ({reply.status}: "
                              f"{_detail(reply)}).", "Set generative.options.api_key_env to the "
                              "NAME of an environment variable that holds a valid key.")
        if reply.status == 404:
            raise ServerError(f"{self.o.url}{self.path} does not exist ({_detail(reply)}).",
                              "Check the URL's /v1 path and generative.options.endpoint.")
        if reply.status >= 500:
            raise ServerError(f"The server at {self.o.url} failed a request ({reply.status}: "
                              f"{_detail(reply)}).", "Check the server's log.")

    def generate(self, prompt_ids: Sequence[int], max_new_tokens: int,
                 on_token: OnToken) -> list[int]:
        """Stream one request of exactly max_new_tokens tokens; return their ids if sent."""
        reply, count = self._send(prompt_ids, max_new_tokens, on_token, self.prompt_format,
                                  self.eos_knob)
        if reply.status >= 300:
            self._check_refusal(reply)
            raise ServerError(f"The server at {self.o.url} refused a request ({reply.status}: "
                              f"{_detail(reply)}).", "Check the server's log.")
        self._check_streamed(reply)
        count.finish(max_new_tokens)
        self._check_prompt(count, len(prompt_ids))
        s = self.stream_stats
        s["requests"] += 1
        s["chunks"] += count.chunks
        s["tokens"] += count.counted
        s["merged_tokens"] += count.merged_tokens
        return count.token_ids

    def _check_prompt(self, count: StreamCount, requested: int) -> None:
        got = (count.usage or {}).get("prompt_tokens")
        if self.prompt_format != "text":
            return
        if got is None:
            raise MeasurementError(f"The server at {self.o.url} reported no usage, so the "
                                   "token count of a text prompt cannot be checked.",
                                   "Use a server that honours stream_options.include_usage.")
        if int(got) < requested or (self.o.endpoint == "completions" and int(got) != requested):
            raise MeasurementError(
                f"The server at {self.o.url} counted {got} prompt tokens, not {requested}: its "
                "tokenizer is not the model folder's.", "Point model.path at a local copy of "
                "the served model's folder (its tokenizer), or use prompt_format=ids.")

    def tokenize(self, text: str) -> list[int]:
        """Return token ids of text from the model folder's tokenizer."""
        return list(self._text_prompts().tokenizer(text, add_special_tokens=False)["input_ids"])

    def describe(self) -> dict[str, Any]:
        """Return the endpoint, server, network, how prompts and EOS were sent, and counters."""
        return {**self.info, "prompt_format": self.prompt_format, "eos_knob": self.eos_knob,
                "token_counting": "per SSE chunk: the server's count where given, else 1 per "
                "chunk with text; tokens the final usage adds are credited at the stream's end "
                "(stream.merged_tokens)", "stream": self.stream_stats,
                "parameter_count": None, "device": "remote", "dtype": "as served"}

    def close(self) -> None:
        """Close this thread's connection."""
        self.http.close()


class OpenAIEngine(GenerativeEngine):
    """An OpenAI-compatible HTTP endpoint (completions or chat), streamed."""

    name = "openai_remote"
    extra = ""  # the standard library's http.client; transformers only for text prompts
    options_cls = OpenAIOptions

    def probe(self) -> Probe:
        """Return available (the client is the standard library)."""
        return Probe(True, "http.client (standard library)")

    def version(self) -> str:
        """Return the client's description (there is no client library)."""
        return "openai-compatible HTTP/SSE client (http.client)"

    def load(self, model: GenModelConfig, device: str = "cpu") -> OpenAISession:
        """Connect, check the model is served, find the request form; return a session."""
        o = self.options
        network = network_section(o.remote_options())
        http = OpenAIHttp(o)
        try:
            served = check_model(http, o)
            info = {"engine": "openai_remote", "endpoint": o.url, "api": o.endpoint,
                    "served_model": served, "server": server_info(http, o), "tls": o.tls,
                    "network": network, "timeout_s": o.timeout_s,
                    "api_key_env": o.api_key_env}
            session = OpenAISession(o, http, model, info)
            session.plan()
        except BaseException:
            http.close()
            raise
        return session


def _model_config(cfg: GenModelConfig) -> dict[str, Any]:
    if cfg.path and (Path(cfg.path) / "config.json").is_file():
        return json.loads((Path(cfg.path) / "config.json").read_text())
    return dict(cfg.config)


def _detail(reply: Reply) -> str:
    body = reply.body
    if isinstance(body, dict):
        err = body.get("error", body.get("detail", body))
        if isinstance(err, dict):
            err = err.get("message", err)
        return str(err)[:300]
    return reply.text[:300]
