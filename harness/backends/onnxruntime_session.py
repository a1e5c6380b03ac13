"""An onnxruntime session: plain run() or IO binding with device-resident inputs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import onnxruntime as ort

from harness.backends import onnxruntime_placement as placement
from harness.backends.base import Session, SessionClosed, input_error
from harness.core.artifact import TensorSpec

_RUN_ERRORS = (RuntimeError, ValueError, TypeError, KeyError,
               ort.capi.onnxruntime_pybind11_state.Fail,
               ort.capi.onnxruntime_pybind11_state.InvalidArgument)
_MAX_RESIDENT = 1024  # inputs kept on the device; the pipeline prepares 64 batches


class OnnxRuntimeSession(Session):
    """An InferenceSession with output names resolved once and optional IO binding.

    With IO binding, each distinct input array is copied to the provider's device once and the
    device copy is reused whenever the same array object is run again (inputs are treated as
    immutable), so the timed loop measures inference, not host-to-device copies.

    With `on_placement`, the first run is profiled (on the inputs the run gives it, never
    made-up ones), nodes per provider go into describe(), and `on_placement(counts)` may
    refuse them (strict mode) by raising.
    """

    def __init__(self, session: ort.InferenceSession, specs: tuple[TensorSpec, ...],
                 info: dict[str, Any], io_device: tuple[str, int] | None,
                 on_placement: Callable[[Counter], None] | None = None) -> None:
        self.session: ort.InferenceSession | None = session
        self._on_placement = on_placement
        self.specs = specs
        self.info = info
        self.io_device = io_device
        self._outputs = [o.name for o in session.get_outputs()]
        self._resident: dict[int, tuple[np.ndarray, ort.OrtValue]] = {}
        self._binding = session.io_binding() if io_device else None

    def _device_value(self, array: np.ndarray) -> ort.OrtValue:
        found = self._resident.get(id(array))
        if found is not None and found[0] is array:
            return found[1]
        if len(self._resident) >= _MAX_RESIDENT:
            self._resident.clear()
        value = ort.OrtValue.ortvalue_from_numpy(array, *self.io_device)
        self._resident[id(array)] = (array, value)  # holding the array keeps its id unique
        return value

    def _run_bound(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        binding = self._binding
        for name, array in inputs.items():
            binding.bind_ortvalue_input(name, self._device_value(array))
        for name in self._outputs:
            binding.bind_output(name, self.io_device[0], self.io_device[1])
        self.session.run_with_iobinding(binding)
        return binding.copy_outputs_to_cpu()

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one inference; returns host arrays."""
        if self.session is None:
            raise SessionClosed("onnxruntime")
        if self._on_placement is not None:
            return self._run_profiled(inputs)
        try:
            if self._binding is not None:
                return self._run_bound(inputs)
            return self.session.run(self._outputs, inputs)
        except _RUN_ERRORS as exc:
            raise input_error(inputs, self.specs, True, "onnxruntime", exc) from exc

    def _run_profiled(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        check, self._on_placement = self._on_placement, None
        try:
            outputs = self.run(inputs)
        except BaseException:
            placement.discard_profile(self.session)
            raise
        counts = placement.end_placement(self.session)
        self.info["nodes_per_provider"] = dict(counts)
        check(counts)
        return outputs

    def synchronize(self) -> None:
        """Wait for the device; run() already returns host copies, so there is nothing queued."""
        if self._binding is not None and self.session is not None:
            self._binding.synchronize_outputs()

    def describe(self) -> dict[str, Any]:
        """Return onnxruntime's version, active providers, nodes per provider and options."""
        return {"runtime": "onnxruntime", "runtime_version": ort.__version__,
                "io_binding": self._binding is not None, **self.info}

    def close(self) -> None:
        """Drop the session and device-resident inputs so onnxruntime frees its memory."""
        self._resident.clear()
        self._binding = None
        self.session = None


def placement_info(session: ort.InferenceSession) -> dict[str, Any]:
    """Return the describe() fields about providers known at load: the active ones."""
    return {"providers": session.get_providers()}
