"""NVIDIA GPU board energy through zeus's NVML layer (`zeus.device.gpu.get_gpus()`).

Volta and newer: the total-energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ since driver
load) read at begin and end -> measured-counter. Older GPUs: instant power (mW) polled in a
background thread and integrated trapezoidally -> measured-sampled. NVML documents board power
as accurate to within +/-5 %; the counter updates roughly every 100 ms, so windows shorter than
a couple of seconds carry a visible quantisation error. zeus and pynvml are imported lazily:
nothing touches NVML at import time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.core.errors import MeasurementError
from harness.core.probe import Probe
from harness.core.ranges import at_least, check_fields
from harness.energy.base import EnergyMeter, EnergyReading, Provenance
from harness.energy.sampling import PowerSampler, sampled_readings

if TYPE_CHECKING:
    from harness.energy.config import MeterConfig

SCOPE = "GPU board"
NVML_FIX = "Install the NVIDIA driver (libnvidia-ml.so) and nvidia-ml-py, or pick another meter."


def zeus_gpus() -> Any:
    """Return zeus's GPU manager singleton (initialises NVML on first call)."""
    from zeus.device.gpu import get_gpus

    return get_gpus()


@dataclass
class NvmlOptions:
    """meter.options of meter=nvml."""

    gpu_index: int = 0  # NVML device index (after CUDA_VISIBLE_DEVICES)

    def __post_init__(self) -> None:
        check_fields(self, "meter.options", {"gpu_index": at_least(0)})


class NvmlMeter(EnergyMeter):
    """GPU board energy: NVML energy counter where supported, else sampled power."""

    name = "nvml"
    provenance = Provenance.MEASURED_COUNTER
    update_period_s = 0.1
    min_window_s = 2.0
    accuracy_rel = 0.05
    options_cls = NvmlOptions

    def __init__(
        self,
        gpu_index: int = 0,
        sample_period_s: float = 0.05,
        gpus_factory: Callable[[], Any] = zeus_gpus,
    ) -> None:
        self.gpu_index = gpu_index
        self.sample_period_s = sample_period_s
        self._factory = gpus_factory
        self._gpus: Any = None
        self._counter: bool | None = None
        self._sampler: PowerSampler | None = None

    @classmethod
    def from_config(cls, cfg: MeterConfig, options: NvmlOptions) -> NvmlMeter:
        """Return the meter on GPU options.gpu_index, sampled every cfg.sample_period_s."""
        return cls(options.gpu_index, cfg.sample_period_s)

    def _manager(self) -> Any:
        if self._gpus is None:
            self._gpus = self._factory()
        return self._gpus

    def probe(self) -> Probe:
        """Return availability: pynvml importable, NVML initialises, GPU index present."""
        try:
            import pynvml
        except ImportError:
            return Probe(False, f"NVML: nvidia-ml-py (pynvml) not installed. {NVML_FIX}")
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as err:
            return Probe(False, f"NVML: cannot initialise ({err}), so no NVIDIA driver or GPU here")
        try:
            from zeus.device.exception import ZeusBaseGPUError

            gpus = self._manager()
        except (ImportError, ZeusBaseGPUError) as err:
            return Probe(False, f"NVML: zeus GPU layer failed ({err}). {NVML_FIX}")
        if self.gpu_index >= len(gpus):
            return Probe(False, f"NVML: gpu_index {self.gpu_index} but {len(gpus)} GPU(s) visible")
        self._counter = bool(gpus.supports_get_total_energy_consumption(self.gpu_index))
        how = "energy counter" if self._counter else "sampled power (pre-Volta)"
        return Probe(True, f"NVML: GPU {self.gpu_index} {gpus.get_name(self.gpu_index)}, {how}")

    @property
    def uses_counter(self) -> bool:
        """Return True when the Volta+ total-energy counter is used (False: sampled power)."""
        if self._counter is None:
            self._counter = bool(
                self._manager().supports_get_total_energy_consumption(self.gpu_index)
            )
        return self._counter

    def _read_power_w(self) -> dict[str, float]:
        power_mw = self._manager().get_instant_power_usage(self.gpu_index)
        return {f"gpu{self.gpu_index}": power_mw / 1000.0}

    def _start(self) -> None:
        gpus = self._manager()
        if self.uses_counter:
            self._energy0_mj = gpus.get_total_energy_consumption(self.gpu_index)
            self._t0_s = time.perf_counter()
        else:
            self._sampler = PowerSampler(self._read_power_w, self.sample_period_s)
            self._sampler.start()

    def _stop(self) -> list[EnergyReading]:
        if not self.uses_counter:
            if self._sampler is None:
                raise MeasurementError("NVML: no sampler running.", "Call begin() first.")
            times_s, series = self._sampler.stop()
            method = "NVML instant power, sampled and integrated (zeus)"
            return sampled_readings(
                times_s, series, lambda _d: (SCOPE, ""), method, self.accuracy_rel
            )
        energy1_mj = self._manager().get_total_energy_consumption(self.gpu_index)
        duration_s = time.perf_counter() - self._t0_s
        delta_mj = energy1_mj - self._energy0_mj
        if delta_mj < 0:
            raise MeasurementError(
                f"NVML energy counter went backwards ({self._energy0_mj} -> {energy1_mj} mJ).",
                "The driver was reloaded or the GPU reset mid-run; rerun the benchmark.",
            )
        return [
            EnergyReading(
                energy_j=delta_mj / 1000.0,
                duration_s=duration_s,
                scope=SCOPE,
                domain=f"gpu{self.gpu_index}",
                method="NVML total energy counter (zeus)",
                provenance=Provenance.MEASURED_COUNTER.value,
                accuracy_rel=self.accuracy_rel,
            )
        ]
