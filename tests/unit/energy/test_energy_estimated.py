"""Estimated meter: a labelled power model over psutil CPU utilisation, never 'measured'."""

from __future__ import annotations

import time

import pytest

from harness.core.errors import ConfigError
from harness.energy.estimated import EstimatedMeter
from harness.energy.method import provenance_mark, summarise_energy


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(1000))


def test_estimated_is_labelled_and_bounded_by_the_model() -> None:
    meter = EstimatedMeter(idle_w=5.0, active_w=25.0, utilisation="process")
    assert meter.probe().available
    with meter.window() as window:
        _busy(0.2)
    (reading,) = window.readings
    assert reading.provenance == "estimated"
    assert "not measured" in reading.scope and "process CPU utilisation" in reading.scope
    assert 5.0 < reading.average_power_w <= 25.0  # a busy loop uses some CPU
    assert reading.accuracy_rel == 0.5
    summary = summarise_energy(window.readings, None, inferences=4, samples=4)
    assert summary.provenance == "estimated"
    assert provenance_mark(summary.provenance) == "(est.)"


def test_system_utilisation_and_fake_clock() -> None:
    ticks = iter([100.0, 102.0])
    meter = EstimatedMeter(idle_w=8.0, active_w=40.0, clock=lambda: next(ticks))
    with meter.window() as window:
        pass
    reading = window.readings[0]
    assert reading.duration_s == pytest.approx(2.0)
    assert 16.0 <= reading.energy_j <= 80.0  # between idle and active power over 2 s


def test_tdp_model() -> None:
    meter = EstimatedMeter(tdp_w=15.0)
    assert meter.active_w == 15.0 and meter.idle_w == pytest.approx(2.25)
    assert "TDP 15.0 W" in meter.describe_model()


def test_bad_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="idle_w <= active_w"):
        EstimatedMeter(idle_w=50.0, active_w=10.0)
    with pytest.raises(ConfigError, match="system"):
        EstimatedMeter(utilisation="gpu")


def test_process_tree_counts_a_live_child_that_process_does_not() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nend = time.time() + 1.2\n"
                              "while time.time() < end: sum(range(1000))"])
    try:
        tree = EstimatedMeter(idle_w=0.0, active_w=100.0, utilisation="process_tree")
        own = EstimatedMeter(idle_w=0.0, active_w=100.0, utilisation="process")
        time.sleep(0.1)  # the child is running
        tree.begin()
        own.begin()
        time.sleep(0.8)  # this process idles; the child burns a CPU
        tree_j, own_j = tree.end()[0].energy_j, own.end()[0].energy_j
    finally:
        child.kill()
        child.wait()
    assert "process_tree CPU utilisation" in tree.describe_model()
    assert tree_j > own_j + 5.0  # at least ~a tenth of one CPU of the child, at 100 W
