"""One streamed request's token accounting: tokens per SSE chunk as they arrive, reconciled with
the server's usage at the end.

A chunk's token count is the server's where it gives one (vLLM's continuous_usage_stats:
cumulative usage.completion_tokens in each chunk; a chunk's token_ids), else one per chunk that
carries text. A server that merges several tokens into one chunk without saying so (transformers
serve when its event loop falls behind) reports more tokens in its final usage than were counted:
those tokens are credited when the stream ends and counted in `merged_tokens`, which leaves TTFT
and TPOT ((last - first) / (n - 1)) exact but puts zero gaps into the ITL distribution.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from harness.backends.remote_client import ServerError
from harness.core.errors import MeasurementError
from harness.generative.engine import OnToken

#: Request fields of each way of asking the server to ignore EOS (n: the output length).
EOS_FIELDS = {
    "ignore_eos": lambda n: {"ignore_eos": True, "min_tokens": n},
    "generation_config": lambda n: {"generation_config": json.dumps({"min_new_tokens": n})},
    "none": lambda n: {},
}


def request_body(model: str, endpoint: str, prompt: Sequence[int] | str, max_tokens: int,
                 eos_knob: str) -> dict[str, Any]:
    """Return the streaming request body: greedy, max_tokens, usage asked for, EOS ignored."""
    body: dict[str, Any] = {"model": model, "max_tokens": max_tokens, "stream": True,
                            "stream_options": {"include_usage": True}, "temperature": 0}
    if endpoint == "chat":
        body["messages"] = [{"role": "user", "content": prompt}]
    else:
        body["prompt"] = prompt if isinstance(prompt, str) else [int(i) for i in prompt]
    if eos_knob == "ignore_eos":  # the vLLM family also reports per-chunk usage
        body["stream_options"]["continuous_usage_stats"] = True
    body.update(EOS_FIELDS[eos_knob](max_tokens))
    return body


class StreamCount:
    """Counts one request's streamed tokens and calls on_token as they arrive."""

    def __init__(self, on_token: OnToken, endpoint: str, server: str) -> None:
        self.on_token, self.endpoint, self.server = on_token, endpoint, server
        self.counted = self.chunks = self.merged_tokens = 0
        self.usage: dict[str, Any] | None = None
        self.token_ids: list[int] = []

    def event(self, ev: dict[str, Any]) -> None:
        """Take one SSE event: count its tokens and report them now."""
        if ev.get("error"):
            err = ev["error"]
            raise ServerError(f"The server at {self.server} failed the request mid-stream: "
                              f"{err.get('message', err) if isinstance(err, dict) else err}",
                              "Check the server's log.")
        usage = ev.get("usage") or None
        choices = ev.get("choices") or []
        if usage:
            self.usage = usage
        if not choices:
            return
        choice = choices[0]
        if self.endpoint == "chat":
            delta = choice.get("delta") or {}
            text = (delta.get("content") or "") + (delta.get("reasoning_content") or "")
        else:
            text = choice.get("text") or ""
        ids = choice.get("token_ids")
        if usage and usage.get("completion_tokens") is not None:
            k = int(usage["completion_tokens"]) - self.counted
        elif ids is not None:
            k = len(ids)
        else:
            k = 1 if text else 0
        if ids:
            self.token_ids.extend(int(i) for i in ids)
        if k > 0:
            self.chunks += 1
            self.counted += k
            self.on_token(k)

    def finish(self, requested: int) -> None:
        """Reconcile with the final usage; MeasurementError unless `requested` tokens came."""
        reported = (self.usage or {}).get("completion_tokens")
        if reported is not None and int(reported) > self.counted:
            self.merged_tokens = int(reported) - self.counted
            self.counted += self.merged_tokens
            self.on_token(self.merged_tokens)
        if reported is not None and int(reported) != self.counted:
            raise MeasurementError(
                f"The server at {self.server} streamed {self.counted} tokens but its usage says "
                f"{reported}.", "Its token accounting is inconsistent; measure it with "
                "prompt_format=ids or report it to the server's maintainers.")
        if self.counted != requested:
            raise MeasurementError(
                f"The server at {self.server} streamed {self.counted} output tokens, not the "
                f"{requested} asked for (max_tokens={requested}): it stopped early, so its TPOT "
                "and throughput would not be comparable.",
                "Let it ignore EOS: generative.options.eos_knob=ignore_eos (vLLM, llama.cpp, "
                "SGLang, TGI) or generation_config (transformers serve); an API that offers "
                "neither cannot be held to a fixed output length.")
