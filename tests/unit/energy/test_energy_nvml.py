"""NVML via zeus with pynvml faked by autospec mocks replaying recorded counter and power data."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from types import SimpleNamespace
from unittest import mock

import pytest

from harness.core.errors import MeasurementError
from harness.energy.nvml import NvmlMeter

pynvml = pytest.importorskip("pynvml", reason="NVML bindings come with the energy extra (zeus)")

# An A100-SXM4 under inference load: total-energy counter (mJ since driver load), ~250 W.
COUNTER_MJ = [8_123_456_789, 8_123_506_789]  # 50 J over the window
# A P100 (Pascal, no energy counter): instant power in mW, sampled every ~20 ms.
POWER_TRACE_MW = [148_000, 151_500, 162_250, 171_000, 169_500, 158_750, 150_250]


@pytest.fixture
def fake_nvml(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, mock.MagicMock]]:
    """Patch the pynvml functions zeus calls; reset zeus's GPU singleton around the test."""
    import zeus.device.gpu as zeus_gpu

    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    for var in ("ZEUSD_SOCK_PATH", "ZEUSD_HOST_PORT", "ZEUSD_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(zeus_gpu, "_gpus", None)
    zeus_gpu.nvml_is_available.cache_clear()
    names = [
        "nvmlInit",
        "nvmlShutdown",
        "nvmlDeviceGetCount",
        "nvmlDeviceGetHandleByIndex",
        "nvmlDeviceGetC2cModeInfoV",
        "nvmlDeviceGetArchitecture",
        "nvmlDeviceGetName",
        "nvmlDeviceGetTotalEnergyConsumption",
        "nvmlDeviceGetFieldValues",
    ]
    patchers = [mock.patch.object(pynvml, n, autospec=True) for n in names]
    fakes = {n: p.start() for n, p in zip(names, patchers, strict=True)}
    fakes["nvmlDeviceGetCount"].return_value = 1
    fakes["nvmlDeviceGetHandleByIndex"].return_value = "handle-0"
    fakes["nvmlDeviceGetC2cModeInfoV"].side_effect = pynvml.NVMLError(
        pynvml.NVML_ERROR_NOT_SUPPORTED
    )
    fakes["nvmlDeviceGetArchitecture"].return_value = pynvml.NVML_DEVICE_ARCH_AMPERE
    fakes["nvmlDeviceGetName"].return_value = "NVIDIA A100-SXM4-40GB"
    fakes["nvmlDeviceGetTotalEnergyConsumption"].side_effect = list(COUNTER_MJ)
    yield fakes
    for patcher in patchers:
        patcher.stop()
    monkeypatch.setattr(zeus_gpu, "_gpus", None)
    zeus_gpu.nvml_is_available.cache_clear()


def test_volta_plus_uses_energy_counter(fake_nvml) -> None:
    meter = NvmlMeter(gpu_index=0)
    probe = meter.probe()
    assert probe.available and "A100" in probe.reason and "energy counter" in probe.reason
    with meter.window() as window:
        pass
    (reading,) = window.readings
    assert reading.energy_j == pytest.approx(50.0)
    assert reading.provenance == "measured-counter"
    assert reading.scope == "GPU board" and reading.domain == "gpu0"
    assert "NVML total energy counter" in reading.method
    fake_nvml["nvmlDeviceGetTotalEnergyConsumption"].assert_called_with("handle-0")


def test_pre_volta_samples_power(fake_nvml) -> None:
    fake_nvml["nvmlDeviceGetArchitecture"].return_value = pynvml.NVML_DEVICE_ARCH_PASCAL
    replay = itertools.cycle(POWER_TRACE_MW)
    fake_nvml["nvmlDeviceGetFieldValues"].side_effect = lambda handle, fields: [
        SimpleNamespace(nvmlReturn=pynvml.NVML_SUCCESS, value=SimpleNamespace(uiVal=next(replay)))
    ]
    meter = NvmlMeter(gpu_index=0, sample_period_s=0.02)
    assert "sampled power" in meter.probe().reason
    with meter.window() as window:
        time.sleep(0.15)
    (reading,) = window.readings
    assert reading.provenance == "measured-sampled"
    assert len(reading.trace) >= 3
    assert 148.0 <= reading.average_power_w <= 171.0
    fake_nvml["nvmlDeviceGetTotalEnergyConsumption"].assert_not_called()


def test_counter_going_backwards_is_an_error(fake_nvml) -> None:
    fake_nvml["nvmlDeviceGetTotalEnergyConsumption"].side_effect = [5_000, 1_000]
    meter = NvmlMeter()
    meter.begin()
    with pytest.raises(MeasurementError, match="backwards"):
        meter.end()


def test_gpu_index_out_of_range(fake_nvml) -> None:
    probe = NvmlMeter(gpu_index=3).probe()
    assert not probe.available and "gpu_index 3" in probe.reason


def test_nvml_init_failure_is_a_probe_reason(fake_nvml) -> None:
    fake_nvml["nvmlInit"].side_effect = pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)
    probe = NvmlMeter().probe()
    assert not probe.available
    assert probe.reason.startswith("NVML: cannot initialise (NVML Shared Library Not Found)")
