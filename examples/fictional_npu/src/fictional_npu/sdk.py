"""A stand-in for a vendor's Python SDK ("nimbus"): devices, graph compilation, execution.

A real plugin imports the vendor's SDK here. This facade emulates the Nimbus NPU on
onnxruntime's CPU provider so the plugin really runs. Set NIMBUS_VISIBLE_DEVICES="" to make
the SDK report no devices (to see how the harness skips a target whose hardware is absent).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort

SDK_VERSION = "3.1.4-emulated"
POWER_MODES = ("performance", "efficiency")


class NimbusError(RuntimeError):
    """Any error the SDK reports (real SDKs have their own exception types)."""


def sdk_version() -> str:
    """Return the SDK's version string."""
    return SDK_VERSION


def list_devices() -> list[str]:
    """Return the Nimbus devices visible to this process (e.g. ['nimbus0'])."""
    visible = os.environ.get("NIMBUS_VISIBLE_DEVICES", "nimbus0")
    return [d for d in visible.split(",") if d]


@dataclass
class Graph:
    """A model compiled for one device; execute() runs it synchronously."""

    device: str
    session: ort.InferenceSession | None
    input_names: tuple[str, ...]

    def execute(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the graph; raise NimbusError when released or on bad inputs."""
        if self.session is None:
            raise NimbusError("graph was released")
        try:
            return self.session.run(None, inputs)
        except Exception as exc:  # the emulator folds onnxruntime's error types into one
            raise NimbusError(str(exc)) from exc

    def release(self) -> None:
        """Free the graph's device memory."""
        self.session = None


def compile_graph(onnx_path: str, device: str, power_mode: str, threads: int | None) -> Graph:
    """Compile an ONNX file (fp32 or int8 QDQ) for `device` and return the loaded graph."""
    if device not in list_devices():
        raise NimbusError(f"device {device} not present")
    if power_mode not in POWER_MODES:
        raise NimbusError(f"unknown power mode {power_mode}")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1 if power_mode == "efficiency" else (threads or 0)
    opts.log_severity_level = 3
    try:
        session = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # see execute()
        raise NimbusError(f"compilation failed: {exc}") from exc
    return Graph(device, session, tuple(i.name for i in session.get_inputs()))
