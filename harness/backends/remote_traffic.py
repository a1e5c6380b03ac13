"""What a remote run sent and received: bytes each way per request, and the payload encoding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Traffic:
    """One request: bytes each way (request/response bodies as the protocol serialises them),
    the client's encode time (ns, 0 for raw tensors), the encoded image bytes, the share of
    tensor values clipped by the encoding, and the raw tensor bytes it stands for."""

    request_bytes: int
    response_bytes: int
    encode_ns: int = 0
    image_bytes: int = 0
    clipped_share: float = 0.0
    tensor_bytes: int = 0


@dataclass
class TrafficTotals:
    """Running sums over every request of a backend (its forks included)."""

    requests: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    low: dict[str, int] = field(default_factory=dict)
    high: dict[str, int] = field(default_factory=dict)

    def add(self, t: Traffic) -> None:
        """Add one request's traffic."""
        self.requests += 1
        for key in ("request_bytes", "response_bytes", "encode_ns", "image_bytes",
                    "clipped_share", "tensor_bytes"):
            self.sums[key] = self.sums.get(key, 0.0) + getattr(t, key)
        for key in ("request_bytes", "response_bytes"):
            value = getattr(t, key)
            self.low[key] = min(self.low.get(key, value), value)
            self.high[key] = max(self.high.get(key, value), value)

    def copy(self) -> TrafficTotals:
        """Return a snapshot of the sums (ranges stay the run's)."""
        return TrafficTotals(self.requests, dict(self.sums), dict(self.low), dict(self.high))

    def since(self, before: TrafficTotals) -> TrafficTotals:
        """Return the traffic added after the `before` snapshot (ranges: the whole run's)."""
        sums = {k: v - before.sums.get(k, 0.0) for k, v in self.sums.items()}
        return TrafficTotals(self.requests - before.requests, sums, dict(self.low),
                             dict(self.high))

    def mean(self, key: str) -> float:
        """Return the mean of `key` per request (0 before any request)."""
        return self.sums.get(key, 0.0) / self.requests if self.requests else 0.0

    def describe(self, options: Any, codec: str, scope: str = "") -> dict[str, Any]:
        """Return the record's payload section: encoding, mean bytes each way (their range
        over the run where requests differ) and, for an encoded image, its size, encode time
        and codec."""
        if not self.requests:
            return {"encoding": options.payload}
        out: dict[str, Any] = {
            "encoding": options.payload, "requests": self.requests,
            "request_bytes": round(self.mean("request_bytes")),
            "response_bytes": round(self.mean("response_bytes")),
            "tensor_bytes": round(self.mean("tensor_bytes")),
            "scope": scope or "mean per request so far (first requests of the run)"}
        for key in ("request_bytes", "response_bytes"):
            if self.low[key] != self.high[key]:
                out[f"{key}_range"] = [self.low[key], self.high[key]]
        if options.payload != "raw":
            out.update(quality=options.payload_quality if options.payload == "jpeg" else None,
                       codec=codec, image_bytes=round(self.mean("image_bytes")),
                       encode_ms_mean=self.mean("encode_ns") / 1e6,
                       clipped_share=self.mean("clipped_share"),
                       decode="on the server, inside the served model (counted in its compute)")
        return out


def payload_window(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """Return the payload section over the timed window between two server_counters()
    snapshots of a remote backend, or None where they carry no traffic."""
    if "traffic" not in before or "traffic" not in after:
        return None
    window = after["traffic"].since(before["traffic"])
    if not window.requests:
        return None
    options, codec = after["payload_options"]
    return window.describe(options, codec, "mean per request over the scenario (its warm-up "
                           "included), the same window as server_split")
