"""The conformance suite every energy meter inherits: subclass, name the meter, and it runs.

A subclass sets `meter_name` (a name in the `harness.meters` registry) and, where the meter
needs hardware, overrides `config(tmp_path)` to point it at a replay of that hardware (a fake
sysfs tree, a recorded CSV) and `during_window()` to advance the replay while the window is
open. The meter is built the way a run builds it (registry -> options_cls -> from_config), then
probe, the begin/end window, the readings' fields, option checking and close() are checked.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from harness.core.errors import ConfigError, MeasurementError
from harness.core.probe import Probe
from harness.energy.auto import build_meter
from harness.energy.base import EnergyMeter, Provenance
from harness.energy.config import MeterConfig
from harness.energy.options import option_keys
from harness.energy.registry import METERS

PROVENANCES = {p.value for p in Provenance}


class MeterConformance:
    """Inherit this, set `meter_name` (and `options`, or override `config`), and it is checked."""

    meter_name: ClassVar[str]
    options: ClassVar[dict[str, Any]] = {}
    window_s: ClassVar[float] = 0.15  # long enough for a few samples of the sampled meters
    reports_readings: ClassVar[bool] = True  # False only for the null meter
    expected_total_w: ClassVar[float | None] = None  # the replay's power, where it is known

    def config(self, tmp_path: Path) -> MeterConfig:
        """Return the MeterConfig the meter is built from (override to point it at a replay)."""
        return MeterConfig(name=self.meter_name, sample_period_s=0.01, options=dict(self.options))

    def during_window(self) -> None:
        """Do the work the window measures (override to advance a replayed counter)."""
        end = time.perf_counter() + self.window_s
        while time.perf_counter() < end:
            sum(range(1000))

    @pytest.fixture
    def meter(self, tmp_path: Path):
        meter = build_meter(self.meter_name, self.config(tmp_path))
        probe = meter.probe()
        if not probe.available:
            pytest.skip(f"{self.meter_name}: {probe.reason}")
        yield meter
        meter.close()

    def test_registered_by_name_with_its_capabilities(self) -> None:
        cls = METERS.get(self.meter_name)
        assert issubclass(cls, EnergyMeter) and cls.name == self.meter_name
        assert isinstance(cls.provenance, Provenance)
        assert cls.update_period_s >= 0 and cls.min_window_s >= 0 and 0 < cls.accuracy_rel <= 1
        assert hasattr(cls.options_cls, "__dataclass_fields__")

    def test_probe_answers_with_a_reason(self, tmp_path: Path) -> None:
        probe = build_meter(self.meter_name, self.config(tmp_path)).probe()
        assert isinstance(probe, Probe) and isinstance(probe.available, bool)
        assert isinstance(probe.reason, str) and probe.reason.strip()

    def test_window_returns_well_formed_readings(self, meter: EnergyMeter) -> None:
        meter.begin()
        start = time.perf_counter()
        self.during_window()
        readings = meter.end()
        elapsed_s = time.perf_counter() - start
        assert bool(readings) == self.reports_readings, readings
        for r in readings:
            assert math.isfinite(r.energy_j) and r.energy_j >= 0, r
            assert 0 < r.duration_s <= elapsed_s + 1.0, r
            assert r.scope.strip() and r.method.strip() and r.domain.strip(), r
            assert r.provenance in PROVENANCES, r
            assert 0 < r.accuracy_rel <= 1, r
        domains = {r.domain for r in readings}
        assert all(r.part_of in domains for r in readings if r.part_of), readings
        assert any(r.is_total for r in readings) or not readings
        if self.expected_total_w is not None:
            total_j = sum(r.energy_j for r in readings if r.is_total)
            power_w = total_j / max(r.duration_s for r in readings)
            assert power_w == pytest.approx(self.expected_total_w, rel=0.35), readings

    def test_window_context_manager_fills_readings(self, meter: EnergyMeter) -> None:
        with meter.window() as window:
            self.during_window()
        assert bool(window.readings) == self.reports_readings

    def test_begin_and_end_must_pair(self, meter: EnergyMeter) -> None:
        with pytest.raises(MeasurementError, match="without begin"):
            meter.end()
        meter.begin()
        with pytest.raises(MeasurementError, match="begun twice"):
            meter.begin()
        meter.end()

    def test_close_ends_an_open_window_and_may_repeat(self, meter: EnergyMeter) -> None:
        meter.begin()
        self.during_window()
        meter.close()
        meter.close()

    def test_unknown_option_is_refused_naming_the_valid_ones(self, tmp_path: Path) -> None:
        cls = METERS.get(self.meter_name)
        with pytest.raises(ConfigError) as info:
            cls.parse_options({**self.options, "no_such_option": 1})
        text = str(info.value)
        assert "meter.options.no_such_option" in text
        assert all(key in text for key in option_keys(cls.options_cls)) or "(none)" in text
        with pytest.raises(ConfigError, match="no_such_option"):
            MeterConfig(name=self.meter_name, options={**self.options, "no_such_option": 1})

    def test_default_options_build(self, tmp_path: Path) -> None:
        cls = METERS.get(self.meter_name)
        parsed = cls.parse_options(self.options)
        assert isinstance(parsed, cls.options_cls)
        assert isinstance(cls.from_config(self.config(tmp_path), parsed), cls)
