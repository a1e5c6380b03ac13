"""Conformance of the built-in meters, each on this machine or on a replay of its hardware.

RAPL, hwmon and Jetson read fake sysfs trees in the kernel's layouts (the RAPL counter advances
at a package power while the window is open); external reads a generated CSV trace around now;
NVML skips its window tests with the probe's reason unless an NVIDIA driver is here.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from harness.energy.config import MeterConfig
from tests.conformance.meter_suite import MeterConformance
from tests.unit.energy import fake_sysfs

PACKAGE_W = 15.0  # a laptop package under load
TICK_S = 0.01


class TestNullMeter(MeterConformance):
    meter_name = "none"
    reports_readings = False


class TestEstimatedMeter(MeterConformance):
    meter_name = "estimated"
    options = {"idle_w": 5.0, "active_w": 25.0, "utilisation": "process"}


class TestExternalMeter(MeterConformance):
    meter_name = "external"
    expected_total_w = 3.2
    options = {"csv_path": "set-by-config.csv"}

    def config(self, tmp_path: Path) -> MeterConfig:
        """Return the meter on a 100 Hz trace spanning the next minute (3.2 W +/- a ripple)."""
        path = tmp_path / "power.csv"
        t0 = time.time() - 5.0
        rows = [f"{t0 + i * TICK_S:.3f},{3.2 + 0.4 * math.sin(i / 7):.4f}" for i in range(6500)]
        path.write_text("timestamp_s,power_w\n" + "\n".join(rows) + "\n")
        return MeterConfig(name="external", options={"csv_path": str(path)})


class TestRaplMeter(MeterConformance):
    meter_name = "rapl"
    expected_total_w = PACKAGE_W  # package-0; core lies inside it, DRAM's counter stands still

    def config(self, tmp_path: Path) -> MeterConfig:
        """Return the meter on a fake powercap tree: package-0 with core inside, and DRAM."""
        sys_root = tmp_path / "sys"
        self.package = fake_sysfs.rapl_zone(sys_root, "intel-rapl:0", "package-0", 10**9)
        fake_sysfs.rapl_zone(sys_root, "intel-rapl:0:0", "core", 5 * 10**8)
        fake_sysfs.rapl_zone(sys_root, "intel-rapl:0:1", "dram", 2 * 10**8)
        return MeterConfig(name="rapl", sysfs_root=str(sys_root))

    def during_window(self) -> None:
        """Advance the package counter as the kernel would at PACKAGE_W, every TICK_S."""
        counter = self.package / "energy_uj"
        start_uj, start = int(counter.read_text()), time.perf_counter()
        end = start + self.window_s
        while (now := time.perf_counter()) < end:  # energy follows elapsed time, not ticks, so a
            now_uj = start_uj + int(PACKAGE_W * (now - start) * 1e6)  # late wake-up under load
            fake_sysfs.write_atomic(counter, f"{now_uj}\n")  # cannot lose energy
            time.sleep(TICK_S)
        fake_sysfs.write_atomic(counter, f"{start_uj + int(PACKAGE_W * (now - start) * 1e6)}\n")


class TestHwmonMeter(MeterConformance):
    meter_name = "hwmon"
    expected_total_w = 2.5
    options = {"sensor": "ina226/power1"}

    def config(self, tmp_path: Path) -> MeterConfig:
        """Return the meter on a fake INA226 reporting 2.5 W."""
        fake_sysfs.ina226_hwmon(tmp_path / "sys")
        return MeterConfig(name="hwmon", sysfs_root=str(tmp_path / "sys"),
                           sample_period_s=0.01, options=dict(self.options))


class TestJetsonMeter(MeterConformance):
    meter_name = "jetson"
    expected_total_w = 7.0  # VDD_IN: 5 V x 1.4 A; the other rails are inside it

    def config(self, tmp_path: Path) -> MeterConfig:
        """Return the meter on a fake Orin NX (JetPack 5 hwmon): VDD_IN and two rails in it."""
        fake_sysfs.ina3221_hwmon(tmp_path / "sys", "1-0040", [
            ("VDD_IN", 5000, 1400), ("VDD_CPU_GPU_CV", 5000, 520), ("VDD_SOC", 5000, 310)])
        return MeterConfig(name="jetson", sysfs_root=str(tmp_path / "sys"), sample_period_s=0.01)


class TestNvmlMeter(MeterConformance):
    """Window tests skip with the probe's reason unless an NVIDIA driver and GPU are here."""

    meter_name = "nvml"
    options = {"gpu_index": 0}
