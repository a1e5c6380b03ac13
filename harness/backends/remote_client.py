"""One Open Inference Protocol client over REST or gRPC (tritonclient), errors made plain."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from harness.backends.remote_config import RemoteOptions
from harness.core.errors import BackendUnavailable, HarnessError, UnsupportedError, reason_of

T = TypeVar("T")
#: libraries whose exceptions mean the connection failed, not the request
TRANSPORT_MODULES = frozenset({"geventhttpclient", "gevent", "grpc", "urllib3"})
#: numpy dtype name -> KServe v2 datatype
V2_TYPES = {"float32": "FP32", "float16": "FP16", "float64": "FP64", "int64": "INT64",
            "int32": "INT32", "int16": "INT16", "int8": "INT8", "uint8": "UINT8",
            "bool": "BOOL"}


class ServerError(HarnessError):
    """The server answered with an error, or stopped answering."""


def import_client(protocol: str) -> Any:
    """Return tritonclient's module for 'http' or 'grpc'; BackendUnavailable if missing."""
    try:
        if protocol == "grpc":
            import tritonclient.grpc as client
        else:
            import tritonclient.http as client
    except ImportError as exc:
        raise BackendUnavailable(f"remote: tritonclient[{protocol}] is not installed "
                                 f"({reason_of(exc)}).",
                                 "Install it: pip install -e '.[remote]' (make setup does).") \
            from exc
    return client


class OipClient:
    """A KServe v2 client for one model; every failure becomes a HarnessError with the fix."""

    def __init__(self, options: RemoteOptions) -> None:
        self.options = options
        self.protocol = options.protocol
        self._lib = import_client(self.protocol)
        self._client = self._connect()

    def _connect(self) -> Any:
        o = self.options
        if self.protocol == "grpc":
            certs = open(o.ca_file, "rb").read() if o.ca_file else None  # noqa: SIM115
            return self._lib.InferenceServerClient(o.host_port, ssl=o.tls,
                                                   root_certificates=certs)
        factory = None
        if o.tls:
            def factory() -> ssl.SSLContext:  # geventhttpclient calls it per connection
                import gevent.ssl
                return gevent.ssl.create_default_context(cafile=o.ca_file)
        return self._lib.InferenceServerClient(o.host_port, connection_timeout=o.timeout_s,
                                               network_timeout=o.timeout_s, ssl=o.tls,
                                               ssl_context_factory=factory)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Return fn(); a connection, TLS, time-out or server error becomes a HarnessError."""
        try:
            return fn()
        except self._lib.InferenceServerException as exc:
            raise self._server_error(what, exc) from exc
        except (OSError, TimeoutError) as exc:  # refused, reset, TLS, time-out (REST)
            raise self._transport_error(what, exc) from exc
        except Exception as exc:  # the HTTP stack's own (e.g. HTTPConnectionClosed)
            if type(exc).__module__.split(".")[0] not in TRANSPORT_MODULES:
                raise
            raise self._transport_error(what, exc) from exc

    def _server_error(self, what: str, exc: Exception) -> HarnessError:
        text = str(exc.message() if hasattr(exc, "message") else exc)
        status = str(exc.status() if hasattr(exc, "status") else "")
        low = text.lower()
        if any(k in low for k in ("unavailable", "connect", "deadline", "timed out", "ssl",
                                  "certificate", "handshake", "socket closed", "reset")):
            return self._transport_error(what, exc)
        if "unknown model" in low or "not found" in low or "not ready" in low:
            image = "" if self.options.payload == "raw" else (
                f" An encoded-image payload ({self.options.payload}) goes to model_name + "
                f"'{self.options.image_model_suffix}': serve it with harness serve --image-input.")
            return ServerError(f"The server at {self.options.url} has no ready model "
                               f"'{self.options.served_name}' ({text}).",
                               f"It serves: {self._served() or 'nothing it will list'}. Set "
                               "target.options.model_name (and model_version) to one of them."
                               + image)
        return ServerError(f"The server at {self.options.url} refused {what}: {text}"
                           + (f" (status {status})" if status else ""),
                           "Check the server's log; the request is what the model's "
                           "metadata asks for.")

    def _transport_error(self, what: str, exc: Exception) -> HarnessError:
        text = reason_of(exc)
        low = text.lower()
        o = self.options
        if "certificate" in low or "ssl" in low or "handshake" in low:
            return ServerError(f"TLS to {o.url} failed during {what}: {text}",
                               "Give the CA that signed the server's certificate with "
                               "target.options.ca_file=/path/ca.pem, or use http:// / grpc:// "
                               "for a server without TLS.")
        if "deadline" in low or "timed out" in low or "timeout" in low:
            return ServerError(f"The server at {o.url} did not answer {what} within "
                               f"{o.timeout_s:g} s ({text}).",
                               "Check that it is still running and not overloaded; raise "
                               "target.options.timeout_s for a slow model.")
        if "closed" in low or "reset" in low or "broken pipe" in low:
            return ServerError(f"The server at {o.url} closed the connection during {what} "
                               f"({text}).", "It stopped or crashed: check its log, restart "
                               "it, and resume the sweep (resume=<folder>) to redo this run.")
        return ServerError(f"No inference server answers at {o.url} ({what}: {text}).",
                           "Start one (harness serve model=... quant=... target=...), or fix "
                           "target.options.url: host, port, and http:// for REST (port 8000 "
                           "by default) or grpc:// for gRPC (port 8001).")

    def _served(self) -> str:
        try:
            index = self._client.get_model_repository_index()
        except Exception:  # noqa: BLE001 - only for the hint; the real error is raised
            return ""
        models = index.models if hasattr(index, "models") else index
        names = [m.name if hasattr(m, "name") else m.get("name", "") for m in models]
        return ", ".join(sorted(n for n in names if n))

    def server_metadata(self) -> dict[str, Any]:
        """Return the server's name, version and extensions (raises when none answers)."""
        if not self.call("the liveness check", self._client.is_server_live):
            raise ServerError(f"The server at {self.options.url} says it is not live.",
                              "Wait for it to start, or check its log.")
        meta = self.call("the server metadata", lambda: self._as_dict(
            self._client.get_server_metadata()))
        return {"name": meta.get("name", ""), "version": meta.get("version", ""),
                "extensions": list(meta.get("extensions", []))}

    def model_metadata(self) -> dict[str, Any]:
        """Return the model's metadata (name, versions, platform, inputs, outputs)."""
        o = self.options
        return self.call("the model metadata", lambda: self._as_dict(
            self._client.get_model_metadata(o.served_name, o.model_version)))

    def model_parameters(self) -> dict[str, str]:
        """Return the model config's string parameters (e.g. the served artifact's sha256)."""
        o = self.options
        try:
            config = self._as_dict(self._client.get_model_config(o.served_name, o.model_version))
        except self._lib.InferenceServerException:
            return {}  # a server without the model-configuration extension
        config = config.get("config", config)
        params = config.get("parameters", {}) or {}
        return {k: str(v.get("string_value", v) if isinstance(v, dict) else v)
                for k, v in params.items()}

    def statistics(self) -> dict[str, Any] | None:
        """Return the model's cumulative statistics (statistics extension), or None."""
        o = self.options
        try:
            stats = self._as_dict(self._client.get_inference_statistics(o.served_name,
                                                                         o.model_version))
        except self._lib.InferenceServerException:
            return None
        models = stats.get("model_stats", [])
        return models[0] if models else None

    def _as_dict(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        from google.protobuf.json_format import MessageToDict

        return MessageToDict(value, preserving_proto_field_name=True)

    def infer(self, inputs: dict[str, np.ndarray], outputs: list[str], model: str = ""
              ) -> tuple[list[np.ndarray], int, int]:
        """Return (outputs, request bytes, response bytes) of one inference request (to the
        options' model, or to `model`'s latest version)."""
        lib, o = self._lib, self.options
        served, version = (model, "") if model else (o.served_name, o.model_version)
        request = []
        for name, value in inputs.items():
            arr = np.ascontiguousarray(value)
            tensor = lib.InferInput(name, list(arr.shape), V2_TYPES.get(str(arr.dtype), "BYTES"))
            if self.protocol == "http":
                tensor.set_data_from_numpy(arr, binary_data=o.binary_data)
            else:
                tensor.set_data_from_numpy(arr)
            request.append(tensor)
        if self.protocol == "http":
            wanted = [lib.InferRequestedOutput(n, binary_data=o.binary_data) for n in outputs]
            result = self.call("an inference request", lambda: self._client.infer(
                served, request, model_version=version, outputs=wanted))
        else:
            wanted = [lib.InferRequestedOutput(n) for n in outputs]
            result = self.call("an inference request", lambda: self._client.infer(
                served, request, model_version=version, outputs=wanted,
                client_timeout=o.timeout_s))
        arrays = [result.as_numpy(n) for n in outputs]
        missing = [n for n, a in zip(outputs, arrays, strict=True) if a is None]
        if missing:
            raise UnsupportedError(f"The server's response lacks output(s) {missing}.",
                                   "Check that model_name names the model the run measures.")
        return arrays, self._request_bytes(request, wanted), self._response_bytes(result)

    def _request_bytes(self, request: list, wanted: list) -> int:
        if self.protocol == "http":
            body, _ = self._lib.InferenceServerClient.generate_request_body(request, wanted)
            return len(body)
        from tritonclient.grpc._utils import _get_inference_request

        return _get_inference_request(
            model_name=self.options.served_name, inputs=request,
            model_version=self.options.model_version, request_id="", outputs=wanted,
            sequence_id=0, sequence_start=False, sequence_end=False, priority=0,
            timeout=None, parameters=None).ByteSize()

    def _response_bytes(self, result: Any) -> int:
        if self.protocol == "http":  # the JSON header (re-serialised) plus the binary tail
            header = json.dumps(result.get_response(), separators=(",", ":")).encode()
            return len(header) + len(getattr(result, "_buffer", b"") or b"")
        return result.get_response().ByteSize()

    def close(self) -> None:
        """Close the connection (twice is fine)."""
        client, self._client = self._client, None
        if client is not None:
            client.close()
