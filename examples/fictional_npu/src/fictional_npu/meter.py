"""The harness energy meter for the Nimbus NPU: the SDK's board energy counter, read per window.

This is the shape of a real accelerator meter (open: read the counter; close: read it again,
difference modulo the wrap range), but the Nimbus "SDK" is an emulator and its counter is
SIMULATED (a board power model driven by the SDK's own busy time, see sdk.py). The readings are
therefore labelled provenance=estimated. A vendor whose hardware has a real energy counter sets
`provenance = Provenance.MEASURED_COUNTER` and its stated accuracy instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

from fictional_npu import sdk
from harness.core.errors import ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.energy.base import EnergyMeter, EnergyReading, Provenance


@dataclass
class NimbusPowerOptions:
    """meter.options of meter=nimbus_power."""

    device: str = "nimbus0"  # the Nimbus device whose board counter is read

    def __post_init__(self) -> None:
        if not self.device:
            raise ConfigError("meter.options.device is empty.",
                              "Name the Nimbus device, e.g. meter.options.device=nimbus0.")


class NimbusPowerMeter(EnergyMeter):
    """Nimbus board energy from the SDK's cumulative µJ counter (simulated in this example)."""

    name: ClassVar[str] = "nimbus_power"
    provenance: ClassVar[Provenance] = Provenance.ESTIMATED  # simulated counter, not measured
    update_period_s: ClassVar[float] = sdk.COUNTER_TICK_S
    min_window_s: ClassVar[float] = 20 * sdk.COUNTER_TICK_S  # edge quantisation near 5 %
    accuracy_rel: ClassVar[float] = 0.5  # a model of a fictional board: say it is rough
    options_cls: ClassVar[type] = NimbusPowerOptions

    @classmethod
    def sees(cls, device: str) -> bool:
        """Return whether `device` is a Nimbus NPU (meter=auto then tries this meter first)."""
        return device.startswith("nimbus")

    def __init__(self, device: str = "nimbus0") -> None:
        self.device = device

    @classmethod
    def from_config(cls, cfg: Any, options: NimbusPowerOptions) -> NimbusPowerMeter:
        """Return the meter on the options' device (the common settings are not used)."""
        return cls(options.device)

    def probe(self) -> Probe:
        """Return whether the device is visible, i.e. its counter can be read."""
        devices = sdk.list_devices()
        if self.device not in devices:
            return Probe(False, f"nimbus_power: device {self.device} not found; available: "
                         f"{', '.join(devices) or '(none)'}")
        return Probe(True, f"nimbus_power: {self.device} board energy counter "
                     "(simulated by the example SDK)")

    def _read_uj(self) -> int:
        try:
            return sdk.read_energy_uj(self.device)
        except sdk.NimbusError as exc:
            raise MeasurementError(f"nimbus_power: cannot read the counter: {exc}.",
                                   "Check the board is attached (NIMBUS_VISIBLE_DEVICES).") from exc

    def _start(self) -> None:
        self._energy0_uj = self._read_uj()
        self._t0_s = time.perf_counter()

    def _stop(self) -> list[EnergyReading]:
        energy1_uj = self._read_uj()
        duration_s = time.perf_counter() - self._t0_s
        delta_uj = (energy1_uj - self._energy0_uj) % sdk.COUNTER_RANGE_UJ  # one wrap at most
        return [EnergyReading(
            energy_j=delta_uj / 1e6, duration_s=duration_s,
            scope=f"Nimbus NPU board {self.device} (simulated counter, example plugin)",
            domain=self.device,
            method="Nimbus SDK cumulative energy counter (simulated: board power model x SDK "
                   "busy time)",
            provenance=self.provenance.value, accuracy_rel=self.accuracy_rel)]
