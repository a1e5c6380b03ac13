"""NetworkConfig: the `network=` profile of a run (configs/network/*.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.core.errors import ConfigError, did_you_mean
from harness.core.ranges import above, at_least, check_fields

KINDS = ("auto", "emulated", "real")
RANGES = {"rtt_ms": at_least(0), "uplink_mbps": above(0, none="not shaped"),
          "downlink_mbps": above(0, none="not shaped")}


@dataclass
class NetworkConfig:
    """The path between client and server, as a profile.

    kind: auto: the path as it is (loopback for a local host, otherwise a real network);
        emulated: the server sits behind an emulated link on this host (harness serve
        --network NAME) with this round-trip time and these rates; real: a real network whose
        RTT and rates the profile documents (nothing is shaped).
    rtt_ms: round-trip time the link adds (half on the way out, half on the way back).
    uplink_mbps / downlink_mbps: client->server and server->client rate (null: not shaped).
    source: where the figures come from; they are representative examples, not measurements.
    """

    name: str = "loopback"
    kind: str = "auto"
    rtt_ms: float = 0.0
    uplink_mbps: float | None = None
    downlink_mbps: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        check_fields(self, "network", RANGES)
        if self.kind not in KINDS:
            raise ConfigError(f"network.kind '{self.kind}' is not known."
                              f"{did_you_mean(self.kind, KINDS)}",
                              f"Use one of: {', '.join(KINDS)}.")
        if self.emulate and not self.source:
            raise ConfigError(f"network profile '{self.name}' has no source.",
                              "Say where its RTT and rates come from (a published measurement "
                              "or standard) in source:, so a record can be traced.")
        if self.emulate and self.rtt_ms == 0 and self.uplink_mbps is None \
                and self.downlink_mbps is None:
            raise ConfigError(f"network profile '{self.name}' emulates nothing (no RTT, no "
                              "rate).", "Give rtt_ms and/or uplink_mbps/downlink_mbps, or use "
                              "network=loopback.")

    @property
    def emulate(self) -> bool:
        """Return True when the profile shapes a link on this host."""
        return self.kind == "emulated"

    @property
    def one_way_delay_s(self) -> float:
        """Return the delay each direction adds, in seconds (half the RTT)."""
        return self.rtt_ms / 2e3

    def describe(self) -> dict:
        """Return the profile as the record keeps it."""
        return {"profile": self.name, "kind": self.kind, "rtt_ms": self.rtt_ms,
                "uplink_mbps": self.uplink_mbps, "downlink_mbps": self.downlink_mbps,
                "source": self.source}
