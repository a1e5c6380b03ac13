"""Jetson INA3221 rails across generations: Orin hwmon, AGX Orin, Xavier NX and Nano iio."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.core.errors import MeasurementError
from harness.energy.jetson import MODULE_SCOPE, JetsonMeter
from harness.energy.method import summarise_energy

PERIOD_S = 0.02


def _run(meter: JetsonMeter, seconds: float = 0.1):
    with meter.window() as window:
        time.sleep(seconds)
    return {r.domain: r for r in window.readings}


def test_orin_nano_hwmon_vdd_in_is_module_total(ina3221_hwmon, tmp_path: Path) -> None:
    # Orin Nano 8GB running a CNN: VDD_IN 5.08 V x 1.42 A, CPU/GPU/CV and SOC rails inside it.
    ina3221_hwmon(
        "1-0040", [("VDD_IN", 5080, 1420), ("VDD_CPU_GPU_CV", 5064, 512), ("VDD_SOC", 5072, 298)]
    )
    meter = JetsonMeter(tmp_path / "sys", sample_period_s=PERIOD_S)
    probe = meter.probe()
    assert probe.available and "hwmon" in probe.reason and "total VDD_IN" in probe.reason
    rails = _run(meter)
    assert set(rails) == {"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"}  # summed-shunt channel skipped
    assert rails["VDD_IN"].scope == MODULE_SCOPE and rails["VDD_IN"].is_total
    assert rails["VDD_SOC"].part_of == "VDD_IN"
    assert rails["VDD_IN"].average_power_w == pytest.approx(5.080 * 1.420)
    assert rails["VDD_IN"].provenance == "measured-sampled"
    summary = summarise_energy(list(rails.values()), None, inferences=10, samples=10)
    assert summary.gross_energy_j == pytest.approx(rails["VDD_IN"].energy_j)
    assert summary.scope == MODULE_SCOPE


def test_agx_orin_has_no_input_rail(ina3221_hwmon, tmp_path: Path) -> None:
    ina3221_hwmon(
        "1-0040",
        [("VDD_GPU_SOC", 5000, 1800), ("VDD_CPU_CV", 5000, 700), ("VIN_SYS_5V0", 5000, 900)],
    )
    ina3221_hwmon("1-0041", [("NC", 0, 0), ("VDDQ_VDD2_1V8AO", 5000, 200), ("NC", 0, 0)])
    meter = JetsonMeter(tmp_path / "sys", sample_period_s=PERIOD_S)
    assert meter.probe().available and meter.total_rail == ""
    rails = _run(meter)
    assert set(rails) == {"VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"}
    assert all(r.is_total for r in rails.values())
    assert "no input rail" in rails["VDD_CPU_CV"].scope


def test_nano_iio_pom_5v_in_is_total(ina3221_iio, tmp_path: Path) -> None:
    ina3221_iio("6-0040", [("POM_5V_IN", 4321), ("POM_5V_GPU", 1210), ("POM_5V_CPU", 987)])
    meter = JetsonMeter(tmp_path / "sys", sample_period_s=PERIOD_S)
    assert "iio" in meter.probe().reason
    rails = _run(meter)
    assert rails["POM_5V_IN"].scope == MODULE_SCOPE
    assert rails["POM_5V_IN"].average_power_w == pytest.approx(4.321)
    assert rails["POM_5V_GPU"].part_of == "POM_5V_IN"


def test_xavier_nx_iio_power_changes_mid_window(ina3221_iio, tmp_path: Path, write) -> None:
    iio = ina3221_iio("7-0040", [("VDD_IN", 4000), ("VDD_SYS_GPU", 800), ("VDD_SYS_CPU", 900)])
    meter = JetsonMeter(tmp_path / "sys", sample_period_s=PERIOD_S)
    with meter.window() as window:
        time.sleep(0.08)
        write(iio / "in_power0_input", "9000")  # inference burst starts
        time.sleep(0.08)
    total = next(r for r in window.readings if r.domain == "VDD_IN")
    assert 4.0 < total.average_power_w < 9.0
    assert total.trace[0][1] == pytest.approx(4.0) and total.trace[-1][1] == pytest.approx(9.0)


def test_missing_rail_files_are_skipped(ina3221_hwmon, tmp_path: Path) -> None:
    hwmon = ina3221_hwmon(
        "1-0040", [("VDD_IN", 5000, 1000), ("VDD_CPU_GPU_CV", 5000, 400), ("VDD_SOC", 5000, 300)]
    )
    (hwmon / "curr3_input").unlink()  # driver exposes the label but no current
    meter = JetsonMeter(tmp_path / "sys", sample_period_s=PERIOD_S)
    assert set(_run(meter, 0.05)) == {"VDD_IN", "VDD_CPU_GPU_CV"}


def test_rail_vanishing_mid_window_is_an_error(ina3221_hwmon, tmp_path: Path) -> None:
    hwmon = ina3221_hwmon("1-0040", [("VDD_IN", 5000, 1000)])
    meter = JetsonMeter(tmp_path / "sys", sample_period_s=PERIOD_S)
    meter.begin()
    (hwmon / "curr1_input").unlink()
    time.sleep(0.05)
    with pytest.raises(MeasurementError, match="sampling failed"):
        meter.end()


def test_not_a_jetson(tmp_path: Path) -> None:
    probe = JetsonMeter(tmp_path).probe()
    assert not probe.available and probe.reason.startswith("Jetson: no INA3221 rails")
