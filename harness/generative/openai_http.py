"""HTTP for the openai_remote engine (the standard library's http.client, no SDK): JSON GETs and
a streamed POST read as server-sent events, each request bounded by one deadline, every failure
turned into a ServerError that says what to do."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.backends.remote_client import ServerError
from harness.core.errors import MeasurementError, reason_of
from harness.generative.openai_options import OpenAIOptions


@dataclass
class Reply:
    """A response: status, headers (lower-case names) and the JSON body (None if not JSON)."""

    status: int
    headers: dict[str, str]
    body: Any = None
    text: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)


class OpenAIHttp:
    """One keep-alive connection per calling thread to the options' host."""

    def __init__(self, options: OpenAIOptions) -> None:
        self.o = options
        self._local = threading.local()
        parts = urlsplit(options.url)
        self._host, self._port = parts.hostname or "", parts.port
        self._ctx = ssl.create_default_context(cafile=options.ca_file) if options.tls else None

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._ctx is not None:
                conn = http.client.HTTPSConnection(self._host, self._port, context=self._ctx,
                                                   timeout=self.o.timeout_s)
            else:
                conn = http.client.HTTPConnection(self._host, self._port,
                                                  timeout=self.o.timeout_s)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream, */*"}
        if key := self.o.api_key():
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def get(self, path: str, root: bool = False) -> Reply:
        """Return the reply to GET base_path + path (root: GET path on the host itself)."""
        return self._request("GET", path, None, None, f"GET {path}", root)

    def post_stream(self, path: str, body: dict[str, Any],
                    on_event: Callable[[dict[str, Any]], None] | None) -> Reply:
        """POST body and call on_event for each SSE data event as it arrives; a reply that is
        not an event stream comes back with its body (the caller decides what that means)."""
        return self._request("POST", path, body, on_event, f"POST {path}")

    def _request(self, method: str, path: str, body: dict[str, Any] | None,
                 on_event: Callable[[dict[str, Any]], None] | None, what: str,
                 root: bool = False) -> Reply:
        deadline = time.monotonic() + self.o.timeout_s
        for attempt in (0, 1):  # a kept-alive connection the server closed: reconnect once
            conn = self._conn()
            reused, answered = conn.sock is not None, False
            try:
                conn.request(method, path if root else self.o.base_path + path,
                             body=json.dumps(body).encode() if body is not None else None,
                             headers=self._headers())
                resp = conn.getresponse()
                answered = True
                return self._read(resp, on_event, deadline, what)
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as exc:
                self._drop()
                if attempt == 0 and reused and not answered:
                    continue
                raise self._transport_error(what, exc) from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                raise self._transport_error(what, exc) from exc
            except BaseException:
                self._drop()
                raise
        raise AssertionError("unreachable")

    def _read(self, resp: http.client.HTTPResponse, on_event: Callable | None, deadline: float,
              what: str) -> Reply:
        headers = {k.lower(): v for k, v in resp.getheaders()}
        ctype = headers.get("content-type", "")
        if on_event is None or resp.status >= 300 or "text/event-stream" not in ctype:
            raw = self._read_all(resp, deadline, what)
            text = raw.decode("utf-8", "replace")
            try:
                parsed = json.loads(text) if text.strip() else None
            except ValueError:
                parsed = None
            return Reply(resp.status, headers, parsed, text)
        for data in self._events(resp, deadline, what):
            if data.strip() == "[DONE]":
                continue
            try:
                event = json.loads(data)
            except ValueError as exc:
                self._drop()
                raise MeasurementError(f"The server at {self.o.url} sent an event that is not "
                                       f"JSON: {data[:200]!r}.", "Check that the URL is an "
                                       "OpenAI-compatible API (…/v1).") from exc
            on_event(event)
        resp.close()
        return Reply(resp.status, headers)

    def _remaining(self, deadline: float, what: str) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{what} took longer than {self.o.timeout_s:g} s")
        return left

    def _set_timeout(self, resp: http.client.HTTPResponse, seconds: float) -> None:
        sock = getattr(getattr(resp, "fp", None), "raw", None)
        sock = getattr(sock, "_sock", None)
        if isinstance(sock, socket.socket):
            sock.settimeout(seconds)

    def _read_all(self, resp: http.client.HTTPResponse, deadline: float, what: str) -> bytes:
        chunks = []
        while True:
            self._set_timeout(resp, self._remaining(deadline, what))
            chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read()
            if not chunk:
                resp.close()  # marks the response done, so the connection is reused
                return b"".join(chunks)
            chunks.append(chunk)

    def _events(self, resp: http.client.HTTPResponse, deadline: float,
                what: str) -> Iterator[str]:
        data: list[str] = []
        while True:
            self._set_timeout(resp, self._remaining(deadline, what))
            line = resp.readline()
            if not line:
                break
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            if text.startswith("data:"):
                data.append(text[5:].removeprefix(" "))
            elif not text and data:
                yield "\n".join(data)
                data = []
        if data:
            yield "\n".join(data)

    def _transport_error(self, what: str, exc: BaseException) -> ServerError:
        text, o = reason_of(exc), self.o
        low = text.lower()
        if isinstance(exc, ssl.SSLError) or "certificate" in low or "ssl" in low:
            return ServerError(f"TLS to {o.url} failed during {what}: {text}",
                               "Give the CA that signed the server's certificate with "
                               "generative.options.ca_file=/path/ca.pem, or use http:// for a "
                               "server without TLS.")
        if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in low:
            return ServerError(f"The server at {o.url} did not finish {what} within "
                               f"{o.timeout_s:g} s ({text}).",
                               "Check that it is running and not overloaded; raise "
                               "generative.options.timeout_s for a slow model or long output.")
        if isinstance(exc, ConnectionResetError | http.client.RemoteDisconnected |
                      BrokenPipeError):
            return ServerError(f"The server at {o.url} closed the connection during {what} "
                               f"({text}).", "It stopped or crashed: check its log and restart it.")
        return ServerError(f"No OpenAI-compatible server answers at {o.url} ({what}: {text}).",
                           "Start one (e.g. python -m harness.generative.local_server "
                           "model=smollm2_135m, vllm serve, llama-server), or fix "
                           "generative.options.url: scheme, host, port and the /v1 path.")

    def close(self) -> None:
        """Close this thread's connection."""
        self._drop()
