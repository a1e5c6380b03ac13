"""Options of generative.engine=openai_remote: where the OpenAI-compatible endpoint is and how to
talk to it (checked before any request)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from harness.backends.remote_config import NETWORKS, RemoteOptions
from harness.core.errors import ConfigError

ENDPOINTS = ("completions", "chat")
#: How the request asks the server to ignore EOS (auto: the first one the server accepts).
EOS_KNOBS = ("auto", "ignore_eos", "generation_config", "none")
PROMPT_FORMATS = ("auto", "ids", "text")


@dataclass
class OpenAIOptions:
    """generative.options of engine=openai_remote.

    url: the API's base URL, e.g. http://127.0.0.1:8000/v1 (https:// with ca_file for TLS).
    model: the model as the server names it (GET {url}/models lists them).
    api_key_env: the NAME of an environment variable holding the API key (never the key).
    endpoint: completions (/completions, prompt as token ids where accepted) or chat.
    timeout_s: the longest one request may take, connection to last byte.
    eos_knob: ignore_eos (vLLM, llama.cpp, SGLang: ignore_eos + min_tokens), generation_config
        (transformers serve: min_new_tokens), none, or auto (the first the server accepts).
    prompt_format: ids (a list of token ids), text (decoded with the model folder's tokenizer,
        its length checked against the server's usage.prompt_tokens), or auto.
    network / network_profile: as the tensor `remote` target records the path (auto: loopback
        for a local host, else real; an emulated link behind the URL is found and named).
    """

    url: str = "http://127.0.0.1:8000/v1"
    model: str = ""
    api_key_env: str | None = None
    endpoint: str = "completions"
    timeout_s: float = 60.0
    ca_file: str | None = None
    eos_knob: str = "auto"
    prompt_format: str = "auto"
    network: str = "auto"
    network_profile: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"generative.options.url '{self.url}' is not an HTTP(S) URL.",
                              "Give the API's base URL, e.g. "
                              "generative.options.url=http://127.0.0.1:8000/v1.")
        if not self.model:
            raise ConfigError("generative.options.model is empty.",
                              "Name the model as the server serves it (GET <url>/models lists "
                              "them), e.g. generative.options.model=HuggingFaceTB/SmolLM2-135M.")
        for name, value, valid in (("endpoint", self.endpoint, ENDPOINTS),
                                   ("eos_knob", self.eos_knob, EOS_KNOBS),
                                   ("prompt_format", self.prompt_format, PROMPT_FORMATS),
                                   ("network", self.network, NETWORKS)):
            if value not in valid:
                raise ConfigError(f"generative.options.{name}={value} is not known.",
                                  f"Use one of: {', '.join(valid)}.")
        if self.endpoint == "chat" and self.prompt_format == "ids":
            raise ConfigError("generative.options.endpoint=chat takes text, not token ids.",
                              "Use endpoint=completions for prompt_format=ids.")
        if self.timeout_s <= 0:
            raise ConfigError(f"generative.options.timeout_s must be > 0, not {self.timeout_s}.",
                              "Give the per-request time-out in seconds, e.g. 60.")
        if self.ca_file and not os.path.isfile(self.ca_file):
            raise ConfigError(f"generative.options.ca_file={self.ca_file} does not exist.",
                              "Give the PEM file of the CA that signed the server's certificate.")
        if self.api_key_env and self.api_key_env not in os.environ:
            raise ConfigError(f"generative.options.api_key_env names ${self.api_key_env}, which "
                              "is not set.", f"export {self.api_key_env}=<your key> first (the "
                              "option takes the variable's name, never the key itself).")

    @property
    def tls(self) -> bool:
        """Return whether the endpoint uses TLS."""
        return urlsplit(self.url).scheme == "https"

    @property
    def base_path(self) -> str:
        """Return the URL's path without a trailing slash (e.g. '/v1')."""
        return urlsplit(self.url).path.rstrip("/")

    def api_key(self) -> str | None:
        """Return the API key from the named environment variable, or None."""
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def remote_options(self) -> RemoteOptions:
        """Return the tensor remote target's options for the same host, for the network record."""
        parts = urlsplit(self.url)
        port = parts.port or (443 if self.tls else 80)
        scheme = "https" if self.tls else "http"
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        return RemoteOptions(url=f"{scheme}://{host}:{port}", model_name=self.model,
                             timeout_s=self.timeout_s, network=self.network,
                             network_profile=self.network_profile)
