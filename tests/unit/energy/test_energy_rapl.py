"""RAPL through a fake powercap tree: containment, wrap-around, permissions, missing tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.core.errors import MeasurementError
from harness.energy.method import summarise_energy
from harness.energy.rapl import RAPL_FIX, RaplMeter, discover_zones, read_text

MAX_UJ = 262143328850  # max_energy_range_uj of a Skylake-SP package zone


@pytest.fixture
def desktop(rapl_zone, tmp_path: Path) -> Path:
    """A client CPU: package-0 with core, uncore and dram sub-zones, plus an mmio twin."""
    rapl_zone("intel-rapl:0", "package-0", 40_000_000_000)
    rapl_zone("intel-rapl:0:0", "core", 21_000_000_000)
    rapl_zone("intel-rapl:0:1", "uncore", 1_000_000_000)
    rapl_zone("intel-rapl:0:2", "dram", 5_000_000_000)
    rapl_zone("intel-rapl-mmio:0", "package-0", 40_000_000_000)
    return tmp_path / "sys" / "class" / "powercap"


def _advance(root: Path, write, deltas_uj: dict[str, int]) -> None:
    for dirname, delta in deltas_uj.items():
        path = root / dirname / "energy_uj"
        write(path, str(int(path.read_text()) + delta))


def test_domains_reported_separately_and_never_summed(desktop: Path, write) -> None:
    meter = RaplMeter(desktop)
    assert meter.probe().available
    with meter.window() as window:
        _advance(
            desktop,
            write,
            {
                "intel-rapl:0": 12_000_000,
                "intel-rapl:0:0": 7_000_000,
                "intel-rapl:0:1": 500_000,
                "intel-rapl:0:2": 1_500_000,
            },
        )
    by_domain = {r.domain: r for r in window.readings}
    assert set(by_domain) == {"package-0", "package-0/core", "package-0/uncore", "package-0/dram"}
    assert by_domain["package-0"].energy_j == pytest.approx(12.0)
    assert by_domain["package-0/core"].part_of == "package-0"
    assert by_domain["package-0/uncore"].part_of == "package-0"
    assert by_domain["package-0/dram"].part_of == ""  # DRAM is outside the package
    assert by_domain["package-0"].scope == "CPU package"
    assert all(r.provenance == "measured-counter" for r in window.readings)
    summary = summarise_energy(window.readings, None, inferences=100, samples=100)
    assert summary.gross_energy_j == pytest.approx(13.5)  # package + dram, not + core/uncore


def test_counter_wraps_mid_window(rapl_zone, tmp_path: Path, write) -> None:
    root = tmp_path / "sys" / "class" / "powercap"
    rapl_zone("intel-rapl:0", "package-0", MAX_UJ - 1_000_000, max_uj=MAX_UJ)
    meter = RaplMeter(root)
    with meter.window() as window:
        write(root / "intel-rapl:0" / "energy_uj", "4000000")
    assert window.readings[0].energy_j == pytest.approx(5.0)


def test_psys_contains_package_and_dram(rapl_zone, tmp_path: Path, write) -> None:
    root = tmp_path / "sys" / "class" / "powercap"
    rapl_zone("intel-rapl:0", "package-0", 1_000)
    rapl_zone("intel-rapl:0:0", "dram", 1_000)
    rapl_zone("intel-rapl:1", "psys", 1_000)
    with RaplMeter(root).window() as window:
        _advance(
            root,
            write,
            {"intel-rapl:0": 8_000_000, "intel-rapl:0:0": 1_000_000, "intel-rapl:1": 11_000_000},
        )
    by_domain = {r.domain: r for r in window.readings}
    assert by_domain["package-0"].part_of == "psys"
    assert by_domain["package-0/dram"].part_of == "psys"
    assert by_domain["psys"].is_total
    summary = summarise_energy(window.readings, None, inferences=10, samples=10)
    assert summary.gross_energy_j == pytest.approx(11.0)


def test_mmio_twin_is_skipped(desktop: Path) -> None:
    domains = [z.domain for z in discover_zones(desktop)]
    assert domains.count("package-0") == 1


def test_permission_denied_gives_the_fix(desktop: Path) -> None:
    # Tests run as root, and root ignores file modes, so chmod 000 cannot make open() fail.
    # The meter reads every file through one seam; this reader fails exactly like a non-root
    # open() of a root-only energy_uj (kernels >= 5.10), driving the same probe/begin path.
    def root_only_reader(path: Path) -> str:
        if path.name == "energy_uj":
            raise PermissionError(13, "Permission denied", str(path))
        return read_text(path)

    meter = RaplMeter(desktop, read=root_only_reader)
    probe = meter.probe()
    assert not probe.available
    assert "permission denied" in probe.reason and "energy_uj" in probe.reason
    assert "sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj" in probe.reason
    with pytest.raises(MeasurementError) as err:
        meter.begin()
    assert RAPL_FIX in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root bypasses file modes; seam test covers it")
def test_permission_denied_real_chmod(desktop: Path) -> None:
    (desktop / "intel-rapl:0" / "energy_uj").chmod(0)
    assert "permission denied" in RaplMeter(desktop).probe().reason


def test_missing_powercap_tree(tmp_path: Path) -> None:
    probe = RaplMeter(tmp_path / "nope").probe()
    assert not probe.available
    assert probe.reason.startswith("RAPL: ") and "not present" in probe.reason


def test_empty_powercap_tree(tmp_path: Path) -> None:
    assert "no intel-rapl zones" in RaplMeter(tmp_path).probe().reason
