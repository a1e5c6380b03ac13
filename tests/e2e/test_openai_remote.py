"""generative.engine=openai_remote against real servers: transformers serve (a real
OpenAI-compatible server over a 2-layer random-weight model folder), and plain HTTP servers that
answer without streaming, refuse connections or never answer."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import free_ports, one_record, tiny_gen

pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
from harness.backends.remote_client import ServerError  # noqa: E402
from harness.core.errors import MeasurementError  # noqa: E402
from harness.generative.engine import create_engine  # noqa: E402
from harness.generative.local_server import (  # noqa: E402
    LocalServer,
    serving_available,
    shipped_model,
)
from harness.generative.model_folder import model_folder  # noqa: E402

TINY = {"num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32, "vocab_size": 512,
        "max_position_embeddings": 512}


def tiny_model(cache: Path):
    cfg = shipped_model("smollm2_135m", cache_dir=str(cache))
    cfg.config.update(TINY)
    return cfg


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Path]]:
    if why := serving_available():
        pytest.skip(why)
    cache = tmp_path_factory.mktemp("cache")
    with LocalServer(model_folder(tiny_model(cache), cache), free_ports(1)[0]) as srv:
        yield srv, cache


def test_a_bench_run_through_transformers_serve_has_exact_token_counts(
        server: tuple[LocalServer, Path], tmp_path: Path) -> None:
    srv, cache = server
    record = one_record(tmp_path, *tiny_gen(
        "generative.engine=openai_remote", f"+generative.options.url={srv.url}",
        f"+generative.options.model={srv.model}", f"cache_dir={cache}", shape=TINY),
        timeout_s=300)
    assert record["status"] == "ok", record["reason"]
    gen, backend = record["generative"], record["backend"]
    assert (gen["input_tokens"], gen["output_tokens"]) == (3 * 16, 3 * 8)
    assert all(len(t["token_offsets_ns"]) == 8 for t in gen["traces"])
    assert gen["ttft"]["mean_ns"] > 0 and gen["tpot"]["mean_ns"] > 0
    # transformers serve takes text, not ids; its usage.prompt_tokens was checked against 16
    assert (backend["prompt_format"], backend["eos_knob"]) == ("text", "generation_config")
    assert backend["network"]["kind"] == "loopback"
    assert backend["served_model"]["listed"] and backend["server"]["header"] == "uvicorn"
    assert backend["stream"]["tokens"] == backend["stream"]["requests"] * 8


def test_a_model_the_server_does_not_serve_is_named_with_what_it_serves(
        server: tuple[LocalServer, Path]) -> None:
    srv, cache = server
    engine = create_engine("openai_remote", {"url": srv.url, "model": "no-such-model"})
    with pytest.raises(ServerError, match="does not serve a model named 'no-such-model'") as e:
        engine.load(tiny_model(cache))
    assert srv.model in str(e.value)


def test_a_refused_connection_says_no_server_answers(tmp_path: Path) -> None:
    port = free_ports(1)[0]
    engine = create_engine("openai_remote", {"url": f"http://127.0.0.1:{port}/v1",
                                             "model": "m", "timeout_s": 5})
    with pytest.raises(ServerError, match="No OpenAI-compatible server answers"):
        engine.load(tiny_model(tmp_path))


class _JsonOnly(BaseHTTPRequestHandler):
    """An OpenAI-style server that ignores stream=true and answers one JSON body."""

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._send({"object": "list", "data": [{"id": "m", "object": "model"}]})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._send({"choices": [{"text": "a b", "index": 0, "finish_reason": "length"}],
                    "usage": {"prompt_tokens": 4, "completion_tokens": 2}})

    def log_message(self, *args: object) -> None:
        return None


def test_an_endpoint_that_does_not_stream_is_refused(tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _JsonOnly)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        engine = create_engine("openai_remote", {
            "url": f"http://127.0.0.1:{httpd.server_port}/v1", "model": "m",
            "prompt_format": "ids", "eos_knob": "none"})
        with pytest.raises(MeasurementError, match="does not stream: .*TTFT cannot be measured"):
            engine.load(tiny_model(tmp_path))
    finally:
        httpd.shutdown()


def test_a_server_that_never_answers_times_out_within_timeout_s(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections (the kernel does) but never answers
    try:
        engine = create_engine("openai_remote", {
            "url": f"http://127.0.0.1:{listener.getsockname()[1]}/v1", "model": "m",
            "timeout_s": 1.0})
        start = time.monotonic()
        with pytest.raises(ServerError, match="did not finish .* within 1 s"):
            engine.load(tiny_model(tmp_path))
        assert time.monotonic() - start < 5
    finally:
        listener.close()
