"""The harness backend for the Nimbus NPU: capability flags, options, probe, load, session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fictional_npu import sdk
from fictional_npu.cheats import CHEATS, Cheat
from harness.backends.base import Backend, DeviceTiming, Session, SessionClosed, input_error
from harness.core.artifact import Artifact
from harness.core.errors import ConfigError, UnsupportedError
from harness.core.probe import Probe


@dataclass
class NimbusOptions:
    """Nimbus options (validated by the harness against this dataclass)."""

    power_mode: str = "performance"  # or "efficiency"
    #: A dishonest mode for testing the audits (fictional_npu/cheats.py): none | cache | stale
    #: | constant. Never for a benchmark.
    cheat: str = "none"
    cheat_after: int = 100  # cheat=stale: runs served honestly before the outputs go stale

    def __post_init__(self) -> None:
        if self.cheat not in CHEATS:
            raise ConfigError(f"target.options.cheat={self.cheat!r} is not a cheat mode.",
                              f"Use one of: {', '.join(CHEATS)} (none: an honest session).")
        if self.cheat_after < 0:
            raise ConfigError(f"target.options.cheat_after={self.cheat_after} is negative.",
                              "Give the number of honest runs before cheating, e.g. 100.")


class NimbusSession(Session):
    """One compiled graph on one Nimbus device."""

    device_timer: ClassVar[str | None] = ("Nimbus SDK Graph.last_device_ns and "
                                          "last_transfer_ns (emulated device)")

    def __init__(self, graph: sdk.Graph, artifact: Artifact, options: NimbusOptions) -> None:
        self.graph: sdk.Graph | None = graph
        self.specs = artifact.inputs
        self.power_mode = options.power_mode
        self.cheat = Cheat(options.cheat, options.cheat_after) if options.cheat != "none" else None

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference; returns host arrays."""
        if self.graph is None:
            raise SessionClosed("Nimbus NPU")
        if self.cheat is not None:
            return self.cheat.run(self._execute, inputs)
        return self._execute(inputs)

    def _execute(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        try:
            return self.graph.execute(inputs)  # type: ignore[union-attr]
        except sdk.NimbusError as exc:
            raise input_error(inputs, self.specs, True, "Nimbus NPU", exc) from exc

    def device_timing(self) -> DeviceTiming | None:
        """Return the SDK's device time and transfer time of the last execute() (ns)."""
        if self.graph is None or not self.graph.last_device_ns:
            return None
        return DeviceTiming(self.graph.last_device_ns, self.graph.last_transfer_ns)

    def describe(self) -> dict[str, Any]:
        """Return the SDK version, device and power mode (provenance for the run record)."""
        described = {"runtime": "nimbus-sdk", "runtime_version": sdk.sdk_version(),
                     "device": self.graph.device if self.graph else "released",
                     "power_mode": self.power_mode, "emulated": True}
        return described | ({"cheat": self.cheat.mode} if self.cheat else {})

    def close(self) -> None:
        """Release the graph (safe to call twice)."""
        if self.graph is not None:
            self.graph.release()
        self.graph = None


class NimbusBackend(Backend):
    """Nimbus NPU: compiled `.nimbus` blobs (or plain ONNX), fp32 and int8 QDQ, dynamic batch.

    `nimbus` comes first, so a sweep compiles through the plugin's exporter (and quantiser);
    `onnx` stays accepted for an ONNX artifact made elsewhere (e.g. a model with no exporter
    to `nimbus`)."""

    name: ClassVar[str] = "nimbus_npu"
    formats: ClassVar[tuple[str, ...]] = ("nimbus", "onnx")
    precisions: ClassVar[frozenset[str]] = frozenset({"fp32", "int8_static"})
    dynamic_batch: ClassVar[bool] = True
    options_cls: ClassVar[type] = NimbusOptions

    @classmethod
    def version(cls) -> str:
        """Return the Nimbus SDK version."""
        return sdk.sdk_version()

    def probe(self) -> Probe:
        """Return whether the target's Nimbus device is visible."""
        devices = sdk.list_devices()
        if self.target.device in devices:
            return Probe(True)
        return Probe(False, f"Nimbus device {self.target.device} not found; available: "
                     f"{', '.join(devices) or '(none)'}")

    def load(self, artifact: Artifact) -> Session:
        """Load the `.nimbus` artifact (or compile the ONNX one) and return a session."""
        self.check(artifact)
        self.require_available("Check the board is attached.")
        load = sdk.load_compiled if artifact.format == "nimbus" else sdk.compile_graph
        try:
            graph = load(str(artifact.path), self.target.device, self.options.power_mode,
                         self.target.threads)
        except sdk.NimbusError as exc:
            raise UnsupportedError(f"Nimbus could not compile {artifact.path}: {exc}",
                                   "Check power_mode (performance|efficiency) and the model.",
                                   ) from exc
        return NimbusSession(graph, artifact, self.options)
