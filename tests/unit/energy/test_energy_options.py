"""Meter options: one dataclass per meter, checked at composition; auto hands each key on."""

from __future__ import annotations

from dataclasses import asdict
from importlib.metadata import distribution
from pathlib import Path

import pytest
import yaml

from harness.core.errors import BackendUnavailable, ConfigError
from harness.energy.auto import build_meter, create_meter
from harness.energy.config import MeterConfig
from harness.energy.estimated import EstimatedMeter
from harness.energy.external import ExternalMeter
from harness.energy.hwmon import HwmonMeter
from harness.energy.nvml import NvmlMeter
from harness.energy.registry import AUTO_CANDIDATES, METERS
from tests.faults.conftest import compose_config

ROOT = Path(__file__).resolve().parents[3]
BUILT_IN = {ep.name: ep.value for ep in distribution("edge-harness").entry_points
            if ep.group == "harness.meters"}  # from pyproject.toml, as installed


def test_built_ins_are_registered_in_pyproject_only() -> None:
    assert set(BUILT_IN) == {"none", "rapl", "nvml", "jetson", "hwmon", "external", "estimated"}
    assert BUILT_IN["nvml"].replace(" ", "").endswith("[energy]")  # zeus is an optional extra
    assert set(BUILT_IN) <= set(METERS.names())
    assert not (ROOT / "harness" / "energy" / "auto.py").read_text().count("BUILDERS")


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_each_yaml_lists_its_meters_options_with_the_dataclass_defaults(name: str) -> None:
    listed = yaml.safe_load((ROOT / "configs" / "meter" / f"{name}.yaml").read_text())
    cls = METERS.get(name)
    defaults = {f: v for f, v in vars(cls.options_cls).items() if f in
                cls.options_cls.__dataclass_fields__}
    assert listed.get("options", {}) == defaults


def test_auto_yaml_lists_the_union_of_its_candidates_options() -> None:
    listed = yaml.safe_load((ROOT / "configs" / "meter" / "auto.yaml").read_text())["options"]
    union = {}
    for name in AUTO_CANDIDATES:
        cls = METERS.get(name).options_cls
        union.update({f: v for f, v in vars(cls).items() if f in cls.__dataclass_fields__})
    assert listed == union


def test_options_reach_the_meter() -> None:
    common = MeterConfig(name="hwmon", sysfs_root="/x", sample_period_s=0.2,
                         options={"sensor": "ina226/power1"})
    meter = build_meter("hwmon", common)
    assert isinstance(meter, HwmonMeter) and meter.sensor == "ina226/power1"
    assert str(meter.root) == "/x/class/hwmon" and meter.sample_period_s == 0.2
    nvml = build_meter("nvml", MeterConfig(name="nvml", options={"gpu_index": 2}))
    assert isinstance(nvml, NvmlMeter) and nvml.gpu_index == 2
    ext = build_meter("external", MeterConfig(name="external", options={
        "csv_path": "t.csv", "csv_power_scale": 0.001, "scope": "USB port"}))
    assert isinstance(ext, ExternalMeter) and ext.scope == "USB port"
    assert ext._columns == (None, None, 0.001)


def test_auto_hands_each_key_to_the_meters_that_take_it(tmp_path: Path) -> None:
    cfg = MeterConfig(sysfs_root=str(tmp_path), options={"idle_w": 12, "sensor": "a/b"})
    assert cfg.options_for("estimated") == {"idle_w": 12}
    assert cfg.options_for("hwmon") == {"sensor": "a/b"} and cfg.options_for("rapl") == {}
    meter, reason = create_meter(cfg)  # nothing under tmp_path: the estimate, tuned
    assert isinstance(meter, EstimatedMeter) and meter.idle_w == 12
    assert reason.endswith("chose estimated")


@pytest.mark.parametrize(("meter", "options", "words"), [
    ("estimated", {"idel_w": 1}, ["meter.options.idel_w", "Did you mean 'idle_w'",
                                  "idle_w, active_w"]),
    ("rapl", {"gpu_index": 0}, ["meter.options.gpu_index", "(none)"]),
    ("auto", {"csv_path": "t.csv"}, ["csv_path", "any meter auto may try", "idle_w"]),
    ("estimated", {"idle_w": float("nan")}, ["meter.options.idle_w", "finite"]),
    ("estimated", {"tdp_w": -65}, ["meter.options.tdp_w", "> 0"]),
    ("estimated", {"utilisation": "gpu"}, ["utilisation", "system"]),
    ("estimated", {"idle_w": "warm"}, ["meter.options.idle_w"]),
    ("nvml", {"gpu_index": -1}, ["meter.options.gpu_index", ">= 0"]),
    ("external", {"csv_path": "t.csv", "accuracy_rel": 1.5}, ["meter.options.accuracy_rel"]),
    ("external", {"scope": "wall"}, ["data source", "meter.options.csv_path"]),
    ("auto", {"gpu_index": -1}, ["meter.options.gpu_index", ">= 0"]),
])
def test_bad_options_are_config_errors_at_construction(meter, options, words) -> None:
    with pytest.raises(ConfigError) as info:
        MeterConfig(name=meter, options=options)
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.parametrize(("overrides", "expected"), [
    (["meter=estimated", "meter.options.idle_w=12"], {"idle_w": 12}),
    (["meter.options.idle_w=4", "meter.options.active_w=9"], {"idle_w": 4, "active_w": 9}),
    (["meter=external", "meter.options.csv_path=trace.csv"], {"csv_path": "trace.csv"}),
    (["meter=hwmon", "meter.options.sensor=ina226/power1"], {"sensor": "ina226/power1"}),
])
def test_the_documented_spelling_composes(overrides, expected) -> None:
    from omegaconf import OmegaConf

    cfg = OmegaConf.to_object(compose_config(*overrides)).meter
    assert {k: cfg.options[k] for k in expected} == expected


def test_options_are_plain_json_in_the_resolved_config() -> None:
    cfg = MeterConfig(name="estimated", options={"idle_w": 3})
    assert asdict(cfg)["options"] == {"idle_w": 3}


def test_a_meter_that_cannot_import_here_is_checked_at_run_time() -> None:
    METERS.register("vendor_board", "no_such_vendor_sdk.meter:BoardMeter")
    try:
        cfg = MeterConfig(name="vendor_board", options={"rail": "VDD_NPU"})  # composes
        with pytest.raises(BackendUnavailable, match="cannot be imported"):
            create_meter(cfg)  # the run is recorded as skipped, with the reason
    finally:
        METERS._entries.pop("vendor_board", None)


def test_a_meter_named_by_import_path() -> None:
    meter, _ = create_meter({"name": "harness.energy.estimated:EstimatedMeter",
                             "options": {"idle_w": 3}})
    assert isinstance(meter, EstimatedMeter) and meter.idle_w == 3
