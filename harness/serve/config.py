"""ServeConfig: how `harness serve` exposes the artifact (ports, dynamic batching, name)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.core.errors import ConfigError


@dataclass
class ServeConfig:
    """Triton's endpoints and scheduling for the one served model.

    max_batch_size: the largest batch one execution takes (requests may carry batch 1..N);
    dynamic_batching: let Triton merge queued requests into one execution (up to
        max_batch_size, waiting at most max_queue_delay_us for more).
    instances: model instances (executions in parallel), each its own backend session.
    startup_timeout_s: how long Triton may take to become ready (PyTriton's own is 120 s,
        which a loaded 2-core machine can exceed).
    network: an emulated profile (configs/network/, e.g. eu_cloud_region): serve inside a
        network namespace behind that link (root only; harness.network.link); '' : no link.
    netns: the namespace's name ('' : eh-<pid>).
    no_side_channel: serve without the companion model `<name>.harness` that reports the
        served artifact's sha256 and this server's energy (as a plain OIP server would).
    image_input: also serve `<model_name><image_model_suffix>`, which takes the image model's
        input as encoded image bytes (JPEG/PNG, one BYTES element per sample) and decodes and
        preprocesses it on the server before inference (harness.backends.image_payload);
        clients send it with target.options.payload=jpeg|png.
    """

    model_name: str = ""  # '' : the model's name
    host: str = "0.0.0.0"
    http_port: int = 8000
    grpc_port: int = 8001
    metrics_port: int = 8002
    max_batch_size: int = 8
    dynamic_batching: bool = False
    max_queue_delay_us: int = 0
    instances: int = 1
    startup_timeout_s: float = 300.0
    network: str = ""
    netns: str = ""
    no_side_channel: bool = False
    image_input: bool = False
    image_model_suffix: str = "_image"

    def __post_init__(self) -> None:
        for name in ("http_port", "grpc_port", "metrics_port"):
            port = getattr(self, name)
            if not 0 < port < 65536:
                raise ConfigError(f"serve {name} {port} is not a TCP port.",
                                  "Give a port between 1 and 65535 (e.g. --http-port 8000).")
        if len({self.http_port, self.grpc_port, self.metrics_port}) < 3:
            raise ConfigError("serve ports must differ (HTTP, gRPC and metrics).",
                              "e.g. --http-port 8000 --grpc-port 8001 --metrics-port 8002.")
        if self.max_batch_size < 1:
            raise ConfigError(f"serve max_batch_size must be >= 1, not {self.max_batch_size}.",
                              "1 serves one sample per execution; 8 lets a request (or the "
                              "dynamic batcher) carry up to 8.")
        if self.max_queue_delay_us < 0 or self.instances < 1:
            raise ConfigError("serve max_queue_delay_us must be >= 0 and instances >= 1.",
                              "e.g. --max-queue-delay-us 500 --instances 1.")
        if not self.startup_timeout_s > 0:
            raise ConfigError(f"serve startup_timeout_s must be > 0, not "
                              f"{self.startup_timeout_s}.", "e.g. --startup-timeout-s 300.")
        if self.max_queue_delay_us and not self.dynamic_batching:
            raise ConfigError("serve max_queue_delay_us is set without dynamic batching.",
                              "Add --dynamic-batching, or drop --max-queue-delay-us.")
