"""remote: each query goes to a model behind an Open Inference Protocol (KServe v2) server."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

import numpy as np

from harness.backends.base import Backend, Session, SessionClosed, input_error
from harness.backends.remote_client import OipClient, ServerError, import_client
from harness.backends.remote_config import RemoteOptions
from harness.backends.remote_energy import (
    ServerEnergyBracket,
    artifact_match,
    read_side_channel,
)
from harness.backends.remote_network import network_section
from harness.core.artifact import Artifact, TensorSpec
from harness.core.errors import HarnessError, UnsupportedError
from harness.core.probe import Probe


class RemoteSession(Session):
    """Queries one served model; counts its requests and the time the client spent in them."""

    def __init__(self, backend: RemoteBackend, client: OipClient | None,
                 specs: tuple[TensorSpec, ...],
                 outputs: list[str], info: dict[str, Any]) -> None:
        self._backend, self._client, self._specs = backend, client, specs
        self._outputs, self._info = outputs, info
        self._bytes: tuple[int, int] | None = None
        self._closed = False

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Send one request and return the server's outputs (host numpy arrays)."""
        if self._closed:
            raise SessionClosed("remote")
        if self._client is None:  # a fork: connect in the thread that uses it (REST's gevent
            self._client = OipClient(self._backend.options)  # client is bound to its thread)
        start = time.perf_counter_ns()
        try:
            arrays, sent, received = self._client.infer(inputs, self._outputs)
        except ServerError as exc:
            if "refused" in exc.message and set(inputs) == {s.name for s in self._specs}:
                raise input_error(inputs, self._specs, True, "the remote server", exc) from exc
            raise
        self._backend.count(time.perf_counter_ns() - start)
        if self._bytes is None or self._bytes[0] != sent:
            self._bytes = (sent, received)
        return arrays

    def fork(self) -> RemoteSession:
        """Return a session with a connection of its own, opened by its first run() in the
        thread that uses it (for a concurrent client thread)."""
        if self._closed:
            raise SessionClosed("remote")
        return RemoteSession(self._backend, None, self._specs, self._outputs, self._info)

    def describe(self) -> dict[str, Any]:
        """Return the endpoint, server, model and payload bytes of the last request."""
        payload = {"request_bytes": self._bytes[0], "response_bytes": self._bytes[1]} \
            if self._bytes else {}
        return {**self._info, "payload": payload}

    def close(self) -> None:
        """Close the connection; the session is unusable afterwards."""
        if not self._closed:
            self._closed = True
            if self._client is not None:
                self._client.close()


class RemoteBackend(Backend):
    """A model behind a KServe v2 server (Triton, KServe, MLServer, OVMS, harness serve)."""

    name: ClassVar[str] = "remote"
    formats: ClassVar[tuple[str, ...]] = ("onnx",)  # the reference the served model must match
    precisions: ClassVar[frozenset[str]] = frozenset(
        {"fp32", "fp16", "int8_dynamic", "int8_static", "int16_static", "int4_weight_only"})
    extra: ClassVar[str] = "remote"
    options_cls: ClassVar[type] = RemoteOptions

    def __init__(self, target: Any) -> None:
        super().__init__(target)
        self._queries = 0
        self._client_ns = 0
        self._lock = threading.Lock()  # forked sessions count from their own threads
        self._side_missing = "no session was loaded"

    @classmethod
    def version(cls) -> str:
        """Return tritonclient's version (the client library)."""
        try:
            from importlib.metadata import version

            return f"tritonclient {version('tritonclient')}"
        except Exception:  # noqa: BLE001 - PackageNotFoundError: not installed
            return "tritonclient not installed"

    def probe(self) -> Probe:
        """Return whether tritonclient for the URL's protocol imports here."""
        try:
            import_client(self.options.protocol)
        except HarnessError as exc:
            return Probe(False, exc.message)
        return Probe(True)

    def count(self, elapsed_ns: int) -> None:
        """Add one request and the client's time in it to the backend's counters."""
        with self._lock:
            self._queries += 1
            self._client_ns += elapsed_ns

    def server_counters(self) -> dict[str, Any] | None:
        """Return the cumulative counters of both ends (for harness.backends.remote_split)."""
        stats, why = None, ""
        if self.options.server_statistics:
            try:
                client = OipClient(self.options)
                try:
                    stats = client.call("the statistics", client.statistics)
                finally:
                    client.close()
            except HarnessError as exc:  # the measured queries stand; only the split is lost
                why = exc.message
        return {"client_queries": self._queries, "client_ns": self._client_ns, "server": stats,
                "server_error": why}

    def server_energy(self) -> ServerEnergyBracket:
        """Return the reader of the server's energy around each timed window (after load)."""
        def read() -> dict[str, Any]:
            client = OipClient(self.options)
            try:
                doc, why = read_side_channel(client, self.options.model_name)
            finally:
                client.close()
            if doc is None:
                raise ServerError(why, "Check that the server is still running.")
            return doc

        return ServerEnergyBracket(None if self._side_missing else read,
                                   lambda: self._queries, self._side_missing,
                                   self.options.network_kind() == "loopback")

    def load(self, artifact: Artifact) -> Session:
        """Connect, check the served model's inputs against the artifact, return a session."""
        self.check(artifact)
        self.require_available("Install it: pip install -e '.[remote]' (make setup does).")
        network = network_section(self.options)
        client = OipClient(self.options)
        try:
            server = client.server_metadata()
            meta = client.model_metadata()
            self._check_inputs(meta, artifact.inputs)
            params = client.model_parameters()
            side, self._side_missing = read_side_channel(client, self.options.model_name)
        except HarnessError:
            client.close()
            raise
        o = self.options
        served = (side or {}).get("artifact")
        match, why = artifact_match(served, params.get("artifact_sha256", ""), artifact,
                                    self._side_missing)
        info = {
            "runtime": "remote", "device": self.target.device, "endpoint": o.url,
            "protocol": o.protocol, "tls": o.tls, "encoding": self._encoding(),
            "server": server, "served_model": {
                "name": meta.get("name", o.model_name), "versions": meta.get("versions", []),
                "platform": meta.get("platform", ""), "parameters": params},
            "served_artifact": served or {"reported": False, "reason": self._side_missing},
            "artifact_match": match, "artifact_match_reason": why,
            "network": network,
            "timeout_s": o.timeout_s,
        }
        outputs = [out["name"] for out in meta.get("outputs", [])]
        return RemoteSession(self, client, artifact.inputs, outputs, info)

    def _encoding(self) -> str:
        if self.options.protocol == "grpc":
            return "protobuf (raw_input_contents)"
        return "binary-data extension" if self.options.binary_data else "JSON"

    def _check_inputs(self, meta: dict[str, Any], specs: tuple[TensorSpec, ...]) -> None:
        served = {i["name"]: i for i in meta.get("inputs", [])}
        if served and set(served) != {s.name for s in specs}:
            raise UnsupportedError(
                f"The served model '{self.options.model_name}' takes inputs "
                f"{sorted(served)}, the run's model takes {sorted(s.name for s in specs)}.",
                "Serve the same model (harness serve with the run's model= and quant=), or "
                "point target.options.model_name at it.")
