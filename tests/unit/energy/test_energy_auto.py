"""create_meter: auto degrades quietly with reasons; a named unavailable meter fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from harness.core.errors import BackendUnavailable, ConfigError
from harness.energy.auto import create_meter
from harness.energy.base import NullMeter
from harness.energy.config import MeterConfig
from harness.energy.estimated import EstimatedMeter
from harness.energy.rapl import RaplMeter
from harness.energy.registry import METERS
from tests.unit.energy.fake_meters import GpuPresent

CONFIG_DIR = Path(__file__).resolve().parents[3] / "configs" / "meter"


@pytest.fixture
def nvml_as():
    """Return a function registering a fake in place of the nvml meter (restored afterwards)."""
    original = METERS.entry("nvml")
    yield lambda fake: METERS.register("nvml", f"tests.unit.energy.fake_meters:{fake}")
    METERS.register("nvml", original.target, original.extra)


@pytest.fixture
def no_gpu(nvml_as) -> None:
    nvml_as("NoGpu")


def test_auto_falls_back_to_estimated_with_reasons(tmp_path: Path, no_gpu) -> None:
    meter, reason = create_meter(MeterConfig(sysfs_root=str(tmp_path)))
    assert isinstance(meter, EstimatedMeter)
    parts = reason.split("; ")
    assert parts[0] == f"RAPL: {tmp_path}/class/powercap not present (no powercap RAPL driver here)"
    assert parts[1].startswith("Jetson: no INA3221 rails")
    assert parts[2].startswith("hwmon: no power sensors")
    assert parts[3] == "NVML: not tried (the target is not on an NVIDIA GPU)"
    assert parts[-1] == "chose estimated"


def test_auto_tries_nvml_first_for_a_cuda_target(tmp_path: Path, no_gpu) -> None:
    meter, reason = create_meter(MeterConfig(sysfs_root=str(tmp_path)), device="cuda:0")
    assert isinstance(meter, EstimatedMeter)
    assert reason.startswith("NVML: cannot initialise (faked)") and "not tried" not in reason


def test_gpu_board_energy_is_never_a_cpu_targets_energy(tmp_path: Path, nvml_as) -> None:
    nvml_as("GpuPresent")
    cfg = MeterConfig(sysfs_root=str(tmp_path))
    assert isinstance(create_meter(cfg, device="cpu")[0], EstimatedMeter)
    assert isinstance(create_meter(cfg, device="CPU")[0], EstimatedMeter)  # OpenVINO's spelling
    meter, reason = create_meter(cfg, device="cuda")
    assert isinstance(meter, GpuPresent) and reason == "chose nvml (NVML: GPU 0 (faked))"


@pytest.mark.skipif(Path("/sys/class/powercap").exists(), reason="this machine exposes RAPL")
def test_auto_on_this_machine_chooses_estimated() -> None:
    meter, reason = create_meter({"name": "auto"})  # a CPU target: NVML is not tried
    assert isinstance(meter, EstimatedMeter)
    assert reason.startswith("RAPL: /sys/class/powercap not present")
    assert reason.endswith("chose estimated")


def test_auto_prefers_rapl_when_present(rapl_zone, tmp_path: Path) -> None:
    rapl_zone("intel-rapl:0", "package-0", 1000)
    meter, reason = create_meter(MeterConfig(sysfs_root=str(tmp_path / "sys")))
    assert isinstance(meter, RaplMeter)
    assert reason == "chose rapl (RAPL: package-0)"


def test_named_unavailable_meter_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable) as err:
        create_meter(MeterConfig(name="rapl", sysfs_root=str(tmp_path)))
    assert "not present" in err.value.message and "meter=auto" in err.value.hint


def test_none_and_estimated_by_name() -> None:
    assert isinstance(create_meter({"name": "none"})[0], NullMeter)
    meter, _ = create_meter({"name": "estimated", "options": {"tdp_w": 15.0}})
    assert isinstance(meter, EstimatedMeter) and meter.active_w == 15.0


def test_unknown_names_suggest_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'rapl'"):
        create_meter({"name": "rpal"})
    with pytest.raises(ConfigError, match="auto"):
        create_meter({"name": "rpal"})  # the list of valid names includes auto
    with pytest.raises(ConfigError, match="a meter's own settings go under meter.options"):
        create_meter({"name": "auto", "estimated_idle_w": 3})  # the old flat spelling


def test_external_needs_a_source() -> None:
    with pytest.raises(ConfigError, match="csv_path"):
        MeterConfig(name="external")


@pytest.mark.parametrize("name", sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
def test_yaml_files_merge_into_the_structured_config(name: str) -> None:
    schema = OmegaConf.structured(MeterConfig)
    values = OmegaConf.load(CONFIG_DIR / f"{name}.yaml")
    merged = OmegaConf.merge(schema, values)
    assert merged.name == name
    if name == "external":
        merged.options.csv_path = "meter.csv"  # the YAML leaves the source to the user
    cfg = OmegaConf.to_object(merged)
    assert isinstance(cfg, MeterConfig) and cfg.name == name
