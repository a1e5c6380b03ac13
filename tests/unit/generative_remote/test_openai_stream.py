"""openai_remote's token accounting on the SSE events servers send (vLLM-style per-chunk usage,
transformers serve's text-only chunks merged under load) and its option checks."""

from __future__ import annotations

import pytest

from harness.backends.remote_client import ServerError
from harness.core.errors import ConfigError, MeasurementError
from harness.generative.openai_options import OpenAIOptions
from harness.generative.openai_stream import StreamCount, request_body


def _count(events: list[dict], endpoint: str = "completions") -> tuple[StreamCount, list[int]]:
    calls: list[int] = []
    count = StreamCount(calls.append, endpoint, "srv")
    for ev in events:
        count.event(ev)
    return count, calls


def _text(t: str) -> dict:
    return {"choices": [{"index": 0, "text": t}]}


def test_text_chunks_count_one_each_and_the_final_usage_confirms() -> None:
    count, calls = _count([_text("a"), _text(" b"), {"choices": [{"text": "",
                                                                 "finish_reason": "length"}]},
                           {"choices": [], "usage": {"completion_tokens": 2,
                                                     "prompt_tokens": 4}}])
    count.finish(2)
    assert calls == [1, 1] and count.merged_tokens == 0 and count.usage["prompt_tokens"] == 4


def test_tokens_merged_into_one_chunk_are_credited_when_the_usage_arrives() -> None:
    count, calls = _count([_text("a"), _text(" b c d"),
                           {"choices": [], "usage": {"completion_tokens": 4}}])
    count.finish(4)
    assert calls == [1, 1, 2] and count.merged_tokens == 2 and count.counted == 4


def test_per_chunk_cumulative_usage_gives_each_chunk_its_token_count() -> None:
    count, calls = _count([
        {"choices": [{"text": "ab"}], "usage": {"completion_tokens": 2}},
        {"choices": [{"text": "c"}], "usage": {"completion_tokens": 3}},
        {"choices": [{"text": "", "finish_reason": "length"}],
         "usage": {"completion_tokens": 3}},
        {"choices": [], "usage": {"completion_tokens": 3}}])
    count.finish(3)
    assert calls == [2, 1] and count.merged_tokens == 0


def test_chat_deltas_are_counted() -> None:
    count, calls = _count([{"choices": [{"delta": {"role": "assistant"}}]},
                           {"choices": [{"delta": {"content": "x"}}]},
                           {"choices": [{"delta": {"content": "y"}}]}], endpoint="chat")
    count.finish(2)
    assert calls == [1, 1]


def test_an_early_stop_is_a_measurement_error_naming_the_server() -> None:
    count, _ = _count([_text("a"), {"choices": [], "usage": {"completion_tokens": 1}}])
    with pytest.raises(MeasurementError, match="srv streamed 1 output tokens, not the 8"):
        count.finish(8)


def test_an_error_event_mid_stream_is_a_server_error() -> None:
    with pytest.raises(ServerError, match="mid-stream: boom"):
        _count([_text("a"), {"error": {"message": "boom"}}])


def test_the_request_asks_for_usage_greedy_decoding_and_the_eos_knob() -> None:
    body = request_body("m", "completions", [1, 2, 3], 64, "ignore_eos")
    assert body["prompt"] == [1, 2, 3] and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True, "continuous_usage_stats": True}
    assert (body["ignore_eos"], body["min_tokens"], body["max_tokens"]) == (True, 64, 64)
    body = request_body("m", "chat", "hi", 8, "generation_config")
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["generation_config"] == '{"min_new_tokens": 8}'


@pytest.mark.parametrize("options, match", [
    ({"url": "ftp://x/v1", "model": "m"}, "not an HTTP"),
    ({"url": "http://x/v1"}, "model is empty"),
    ({"url": "http://x/v1", "model": "m", "endpoint": "edit"}, "endpoint=edit"),
    ({"url": "http://x/v1", "model": "m", "api_key_env": "HARNESS_NO_SUCH_VAR"},
     "HARNESS_NO_SUCH_VAR, which is not set"),
    ({"url": "http://x/v1", "model": "m", "timeout_s": 0}, "timeout_s must be > 0"),
    ({"url": "http://x/v1", "model": "m", "endpoint": "chat", "prompt_format": "ids"},
     "chat takes text"),
])
def test_bad_options_are_config_errors(options: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        OpenAIOptions(**options)
