"""RemoteOptions: target.options of the `remote` backend (an Open Inference Protocol endpoint)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from harness.backends.image_payload import ENCODINGS
from harness.core.errors import ConfigError

#: URL scheme -> (protocol, TLS)
SCHEMES = {"http": ("http", False), "https": ("http", True),
           "grpc": ("grpc", False), "grpcs": ("grpc", True)}
NETWORKS = ("auto", "loopback", "emulated", "real")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass
class RemoteOptions:
    """Where the server is and how to talk to it.

    url: http(s)://host:port (KServe v2 REST) or grpc(s)://host:port (KServe v2 gRPC).
    model_name / model_version: the model as the server names it ('' : the latest version).
    timeout_s: per query; a server that stops answering fails the run after this long.
    ca_file: CA bundle (PEM) that signed the server's certificate, for https:// and grpcs://.
    binary_data: REST only: tensors as the binary-data extension (true) or as JSON lists.
    network: loopback | emulated | real; auto: loopback for a local host, else real (set from
        the run's network= profile; an emulated link behind the URL is recorded as emulated).
    network_profile: the profile's name (network=NAME), checked against the link it reaches.
    server_statistics: read the server's statistics extension to split each query's time.
    payload: raw (the input tensors) | jpeg | png (an image model's input sent as the encoded
        image, one BYTES tensor, to the served model `<model_name><image_model_suffix>`, which
        decodes it: harness serve --image-input); payload_quality: JPEG quality 1-100.
    """

    url: str = "http://localhost:8000"
    model_name: str = ""
    model_version: str = ""
    timeout_s: float = 30.0
    ca_file: str | None = None
    binary_data: bool = True
    network: str = "auto"
    network_profile: str | None = None
    server_statistics: bool = True
    payload: str = "raw"
    payload_quality: int = 90
    image_model_suffix: str = "_image"

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in SCHEMES or not parts.hostname or parts.port is None:
            raise ConfigError(f"target.options.url '{self.url}' is not an endpoint URL.",
                              "Give scheme://host:port with scheme http, https, grpc or grpcs, "
                              "e.g. target.options.url=grpc://10.0.0.5:8001.")
        if not self.model_name:
            raise ConfigError("target.options.model_name is empty.",
                              "Name the model as the server serves it (harness serve prints "
                              "it), e.g. target.options.model_name=resnet8.")
        if self.timeout_s <= 0:
            raise ConfigError(f"target.options.timeout_s must be > 0, not {self.timeout_s}.",
                              "Give the per-query time-out in seconds, e.g. 30.")
        if self.network not in NETWORKS:
            raise ConfigError(f"target.options.network '{self.network}' is not known.",
                              f"Use one of: {', '.join(NETWORKS)}.")
        if self.payload not in ENCODINGS:
            raise ConfigError(f"target.options.payload '{self.payload}' is not known.",
                              f"Use one of: {', '.join(ENCODINGS)}.")
        if not 1 <= self.payload_quality <= 100:
            raise ConfigError(f"target.options.payload_quality={self.payload_quality} is not a "
                              "JPEG quality.", "Give 1-100, e.g. 90.")
        if self.network == "emulated" and not self.network_profile:
            raise ConfigError("target.options.network=emulated needs network_profile.",
                              "Name the profile that shapes the link, e.g. eu_cloud_region.")

    @property
    def served_name(self) -> str:
        """Return the served model's name: model_name, plus the suffix for an encoded image."""
        return self.model_name if self.payload == "raw" else \
            self.model_name + self.image_model_suffix

    @property
    def protocol(self) -> str:
        """Return 'http' or 'grpc'."""
        return SCHEMES[urlsplit(self.url).scheme][0]

    @property
    def tls(self) -> bool:
        """Return whether the endpoint uses TLS."""
        return SCHEMES[urlsplit(self.url).scheme][1]

    @property
    def host_port(self) -> str:
        """Return host:port, as tritonclient takes it."""
        return urlsplit(self.url).netloc

    def network_kind(self) -> str:
        """Return loopback, emulated or real: what the record says about the path."""
        if self.network != "auto":
            return self.network
        host = urlsplit(self.url).hostname or ""
        return "loopback" if host in LOOPBACK_HOSTS else "real"
