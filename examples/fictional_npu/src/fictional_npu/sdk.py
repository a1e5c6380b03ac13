"""A stand-in for a vendor's Python SDK ("nimbus"): devices, compilation, execution, energy.

A real plugin imports the vendor's SDK here. This facade emulates the Nimbus NPU on
onnxruntime's CPU provider so the plugin really runs. Set NIMBUS_VISIBLE_DEVICES="" to make
the SDK report no devices (to see how the harness skips a target whose hardware is absent).

- Compilation: `compile_model` wraps an ONNX model in a `.nimbus` blob (a header naming the SDK,
  the precision and the ONNX hash, then the ONNX bytes); `load_compiled` checks and loads it.
- Energy: `read_energy_uj` is the board's cumulative energy counter in µJ, like the counters
  real accelerators expose. Here it is SIMULATED: idle board power over the time since the SDK
  started plus an active power for every second a graph spends executing, updated once per
  COUNTER_TICK_S and wrapping at COUNTER_RANGE_UJ. It is a model, not a measurement.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
import time
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort

SDK_VERSION = "3.1.4-emulated"
POWER_MODES = ("performance", "efficiency")
BLOB_MAGIC = b"NIMBUSv1"
BOARD_IDLE_W = 1.8  # the (fictional) board at idle: NPU clock-gated, DRAM in self-refresh
ACTIVE_W = {"performance": 4.2, "efficiency": 1.5}  # added while a graph executes
COUNTER_TICK_S = 0.001  # the counter updates at 1 kHz
COUNTER_RANGE_UJ = 2**40  # wraps after ~1.1 MJ (about three days at full power)


class NimbusError(RuntimeError):
    """Any error the SDK reports (real SDKs have their own exception types)."""


def sdk_version() -> str:
    """Return the SDK's version string."""
    return SDK_VERSION


def list_devices() -> list[str]:
    """Return the Nimbus devices visible to this process (e.g. ['nimbus0'])."""
    visible = os.environ.get("NIMBUS_VISIBLE_DEVICES", "nimbus0")
    return [d for d in visible.split(",") if d]


class _Board:
    """The simulated power state of one device: when it powered on, active joules so far."""

    def __init__(self) -> None:
        self.t0_s = time.monotonic()
        self.active_j = 0.0
        self.lock = threading.Lock()

    def add_busy(self, seconds: float, power_mode: str) -> None:
        with self.lock:
            self.active_j += seconds * ACTIVE_W[power_mode]

    def energy_uj(self) -> int:
        ticks = int((time.monotonic() - self.t0_s) / COUNTER_TICK_S)
        with self.lock:
            joules = BOARD_IDLE_W * ticks * COUNTER_TICK_S + self.active_j
        return int(joules * 1e6) % COUNTER_RANGE_UJ


_BOARDS: dict[str, _Board] = {}


def _board(device: str) -> _Board:
    if device not in list_devices():
        raise NimbusError(f"device {device} not present")
    return _BOARDS.setdefault(device, _Board())


def read_energy_uj(device: str) -> int:
    """Return the device's cumulative energy counter in µJ (simulated; wraps at the range)."""
    return _board(device).energy_uj()


@dataclass
class Graph:
    """A model compiled for one device; execute() runs it synchronously."""

    device: str
    session: ort.InferenceSession | None
    input_names: tuple[str, ...]
    power_mode: str = "performance"

    last_device_ns: int = 0  # the device's own timer of the last execute() (emulated)
    last_transfer_ns: int = 0  # host->device copy of its inputs, device->host of its outputs

    def execute(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the graph; raise NimbusError when released or on bad inputs.

        Like a real NPU runtime, it reports the device's own time of the run and the time of
        the copies to and from the device (here: copies into and out of buffers it owns)."""
        if self.session is None:
            raise NimbusError("graph was released")
        clock = time.perf_counter_ns
        t0 = clock()
        staged = {name: np.array(value, copy=True) for name, value in inputs.items()}
        t1 = clock()
        try:
            outputs = self.session.run(None, staged)
        except Exception as exc:  # the emulator folds onnxruntime's error types into one
            raise NimbusError(str(exc)) from exc
        finally:
            t2 = clock()
            _board(self.device).add_busy((t2 - t1) / 1e9, self.power_mode)
        result = [np.array(out, copy=True) for out in outputs]
        self.last_device_ns, self.last_transfer_ns = t2 - t1, (t1 - t0) + (clock() - t2)
        return result

    def release(self) -> None:
        """Free the graph's device memory."""
        self.session = None


def compile_model(onnx_bytes: bytes, precision: str) -> bytes:
    """Return the `.nimbus` blob for an ONNX model (fp32 or int8 QDQ)."""
    header = json.dumps({"sdk": SDK_VERSION, "precision": precision,
                         "onnx_sha256": hashlib.sha256(onnx_bytes).hexdigest()}).encode()
    return BLOB_MAGIC + struct.pack("<I", len(header)) + header + onnx_bytes


def read_blob(blob: bytes) -> tuple[dict, bytes]:
    """Return (header, ONNX bytes) of a `.nimbus` blob; NimbusError if it is not a whole one."""
    if not blob.startswith(BLOB_MAGIC) or len(blob) < len(BLOB_MAGIC) + 4:
        raise NimbusError("not a .nimbus blob (bad magic)")
    (size,) = struct.unpack_from("<I", blob, len(BLOB_MAGIC))
    start = len(BLOB_MAGIC) + 4
    try:
        header = json.loads(blob[start : start + size])
    except ValueError as exc:
        raise NimbusError(f"corrupt .nimbus header: {exc}") from exc
    onnx_bytes = blob[start + size :]
    if hashlib.sha256(onnx_bytes).hexdigest() != header.get("onnx_sha256"):
        raise NimbusError("corrupt .nimbus blob (payload hash mismatch)")
    return header, onnx_bytes


def _graph(model: str | bytes, device: str, power_mode: str, threads: int | None) -> Graph:
    if device not in list_devices():
        raise NimbusError(f"device {device} not present")
    if power_mode not in POWER_MODES:
        raise NimbusError(f"unknown power mode {power_mode}")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1 if power_mode == "efficiency" else (threads or 0)
    opts.log_severity_level = 3
    try:
        session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # see execute()
        raise NimbusError(f"compilation failed: {exc}") from exc
    return Graph(device, session, tuple(i.name for i in session.get_inputs()), power_mode)


def compile_graph(onnx_path: str, device: str, power_mode: str, threads: int | None) -> Graph:
    """Compile an ONNX file (fp32 or int8 QDQ) for `device` and return the loaded graph."""
    return _graph(onnx_path, device, power_mode, threads)


def load_compiled(path: str, device: str, power_mode: str, threads: int | None) -> Graph:
    """Load a `.nimbus` file compiled by `compile_model` onto `device`."""
    with open(path, "rb") as fh:
        _, onnx_bytes = read_blob(fh.read())
    return _graph(onnx_bytes, device, power_mode, threads)
