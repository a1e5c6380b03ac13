"""remote: each query goes to a model behind an Open Inference Protocol (KServe v2) server."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

import numpy as np

from harness.backends.base import Backend, Session, SessionClosed, input_error
from harness.backends.image_payload import check_image_input, codec, encode_batch
from harness.backends.remote_client import OipClient, ServerError, import_client
from harness.backends.remote_config import RemoteOptions
from harness.backends.remote_energy import (
    ServerEnergyBracket,
    artifact_match,
    read_side_channel,
)
from harness.backends.remote_network import network_section
from harness.backends.remote_traffic import Traffic, TrafficTotals
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
        self._codec = backend.codec
        self._closed = False

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Send one request (the tensors, or the encoded image) and return the outputs."""
        if self._closed:
            raise SessionClosed("remote")
        if self._client is None:  # a fork: connect in the thread that uses it (REST's gevent
            self._client = OipClient(self._backend.options)  # client is bound to its thread)
        o = self._backend.options
        encode_ns, image_bytes, clipped = 0, 0, 0.0
        request = inputs
        if o.payload != "raw":  # the device's encode is part of the query, timed apart
            begin = time.perf_counter_ns()
            [(name, tensor)] = inputs.items()
            batch = encode_batch(np.asarray(tensor), o.payload, o.payload_quality, self._codec)
            request = {name: batch.images}
            encode_ns = time.perf_counter_ns() - begin
            image_bytes, clipped = batch.image_bytes, batch.clipped_share
        start = time.perf_counter_ns()
        try:
            arrays, sent, received = self._client.infer(request, self._outputs)
        except ServerError as exc:
            if "refused" in exc.message and set(inputs) == {s.name for s in self._specs}:
                raise input_error(inputs, self._specs, True, "the remote server", exc) from exc
            raise
        self._backend.count(time.perf_counter_ns() - start, Traffic(
            sent, received, encode_ns, image_bytes, clipped,
            sum(np.asarray(v).nbytes for v in inputs.values())))
        return arrays

    def fork(self) -> RemoteSession:
        """Return a session with a connection of its own, opened by its first run() in the
        thread that uses it (for a concurrent client thread)."""
        if self._closed:
            raise SessionClosed("remote")
        return RemoteSession(self._backend, None, self._specs, self._outputs, self._info)

    def describe(self) -> dict[str, Any]:
        """Return the endpoint, server, model and the payload: encoding and mean bytes each
        way per request (harness.backends.remote_traffic)."""
        return {**self._info, "payload": self._backend.traffic.describe(self._backend.options,
                                                                        self._codec)}

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
        self.traffic = TrafficTotals()
        self.codec = ""  # the image codec, for payload=jpeg|png (set by load)
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

    def count(self, elapsed_ns: int, traffic: Traffic) -> None:
        """Add one request, the client's time in it and its bytes to the backend's counters."""
        with self._lock:
            self._queries += 1
            self._client_ns += elapsed_ns
            self.traffic.add(traffic)

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
        with self._lock:
            traffic = self.traffic.copy()
        return {"client_queries": self._queries, "client_ns": self._client_ns, "server": stats,
                "server_error": why, "traffic": traffic,
                "payload_options": (self.options, self.codec)}

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
            if self.options.payload != "raw":
                self._check_image(meta, artifact.inputs)
                self.codec = codec()
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
                "name": meta.get("name", o.served_name), "versions": meta.get("versions", []),
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

    def _check_image(self, meta: dict[str, Any], specs: tuple[TensorSpec, ...]) -> None:
        """Raise unless the model is one image input and the served model takes BYTES."""
        if len(specs) != 1:
            raise UnsupportedError(
                f"An encoded-image payload needs a one-input image model; this one takes "
                f"{[s.name for s in specs]}.", "Use target.options.payload=raw for it.")
        check_image_input(tuple(specs[0].shape), specs[0].dtype, specs[0].name)
        types = {i["name"]: i.get("datatype", "") for i in meta.get("inputs", [])}
        if types and types.get(specs[0].name) != "BYTES":
            raise UnsupportedError(
                f"The served model '{self.options.served_name}' takes '{specs[0].name}' as "
                f"{types.get(specs[0].name)}, not as encoded image bytes (BYTES).",
                "Serve the image model (harness serve --image-input serves "
                f"'<model>{self.options.image_model_suffix}'), or use payload=raw.")

    def _check_inputs(self, meta: dict[str, Any], specs: tuple[TensorSpec, ...]) -> None:
        served = {i["name"]: i for i in meta.get("inputs", [])}
        if served and set(served) != {s.name for s in specs}:
            raise UnsupportedError(
                f"The served model '{self.options.served_name}' takes inputs "
                f"{sorted(served)}, the run's model takes {sorted(s.name for s in specs)}.",
                "Serve the same model (harness serve with the run's model= and quant=), or "
                "point target.options.model_name at it.")
        if self.options.payload != "raw":  # the image model takes encoded bytes instead
            return
        for spec in specs:
            dims = [int(d) for d in served.get(spec.name, {}).get("shape", [])]
            if len(dims) == len(spec.shape) and not all(
                    d in (-1, int(x)) for d, x in zip(dims, spec.shape, strict=True)):
                raise UnsupportedError(
                    f"The served model '{self.options.served_name}' takes input '{spec.name}' "
                    f"of shape {dims} (-1: any size), the run sends {list(spec.shape)}.",
                    "Serve the model with the run's input shapes (harness serve with the same "
                    f"model.inputs overrides), or set model.inputs.{spec.name}.shape to the "
                    "served shape.")
