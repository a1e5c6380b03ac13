"""The decision per model: the run chosen, the figures and ranges against hand arithmetic, the
bases, the winners and the crossovers; label placement and the interactive table."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.report.cost_inputs import electricity
from harness.report.deployment_config import load_preset, shipped_presets
from harness.report.html_table import Cell, table_html
from harness.report.label_place import overlap, place
from harness.report.load import load_runs
from harness.report.verdict import decide, fastest_passing
from tests.unit.report.records_factory import make_record, write_records

GATE_OK = {"target": 0.99, "metric": "cosine", "ratio": 0.999, "passed": True}
GATE_BAD = {"target": 0.99, "metric": "cosine", "ratio": 0.9, "passed": False}
ON_DEVICE = [(load_preset("on_device"), "on_device")]


def runs(tmp_path: Path, *records: object) -> list:
    return load_runs([write_records(tmp_path / "r", list(records))])


def test_fastest_run_that_passes_the_gate_is_chosen(tmp_path: Path) -> None:
    found = fastest_passing(runs(
        tmp_path, make_record(quant="fp32", target="cpu", median_ms=2.0),
        make_record(quant="int8_static", target="cpu", median_ms=0.5, gate=GATE_BAD),
        make_record(quant="int8_static", target="openvino_cpu", median_ms=1.0, gate=GATE_OK),
        make_record(quant="int8_dynamic", target="cpu", median_ms=0.7)))  # no gate: not int8-safe
    assert found["resnet8"].record.config["target"]["name"] == "openvino_cpu"


def test_on_device_figures_by_hand(tmp_path: Path) -> None:
    dev = runs(tmp_path, make_record(median_ms=1.0, energy_j=0.01))
    (d,) = decide(dev, None, ON_DEVICE)
    by = {v.metric: v for v in d.verdicts}
    p50 = dev[0].record.scenario.percentile("p50")
    lat = by["latency"].device
    assert (lat.value, lat.low, lat.high) == pytest.approx(
        (p50.value_ns / 1e6, p50.ci_low_ns / 1e6, p50.ci_high_ns / 1e6))
    assert lat.basis == "measured" and by["energy"].device.basis == "measured"
    energy = by["energy"].device
    assert (energy.value, energy.low, energy.high) == pytest.approx((10.0, 9.5, 10.5))  # ±5 %
    assert by["co2e"].device.value == pytest.approx(0.01 / 3.6e6 * 251.0 * 1e6)  # µg
    # EUR/M: 80 EUR over 48 months at a 10 % duty cycle, plus 0.01 J at the EU27 Eurostat price
    service_s = dev[0].record.scenario.summary.mean_ns / 1e9
    volume = 0.1 * (365.25 * 24 * 3600 / 12) / service_s
    assert by["eur"].device.value == pytest.approx(
        (80 / 48 / volume + 0.01 / 3.6e6 * electricity("EU27").value) * 1e6)
    assert by["eur"].device.basis == "modelled"
    assert d.crossovers == () and by["latency"].datacenter is None and d.example_prices


def test_estimated_energy_is_labelled_so(tmp_path: Path) -> None:
    (d,) = decide(runs(tmp_path, make_record(provenance="estimated")), None, ON_DEVICE)
    assert {v.metric: v.device.basis for v in d.verdicts} == {
        "latency": "measured", "energy": "estimated", "co2e": "estimated", "eur": "estimated"}


def test_datacenter_verdicts_and_crossovers(tmp_path: Path) -> None:
    dev = runs(tmp_path / "d", make_record(median_ms=20.0, host="pi"))
    dc = runs(tmp_path / "s", make_record(median_ms=0.5, host="srv"))
    presets = [(p, p.name) for p in shipped_presets()]
    (d,) = decide(dev, dc, presets)
    by = {v.metric: v for v in d.verdicts}
    assert by["latency"].winner.option == "edge_server" and by["latency"].clear
    assert by["latency"].datacenter.basis == "modelled"
    assert by["latency"].datacenter.low < by["latency"].datacenter.value
    assert any(t.startswith("EUR:") for t in d.crossovers)
    assert any(t.startswith("latency: edge_server faster only below RTT") for t in d.crossovers)
    assert set(d.figures) == {p.name for p, _ in presets}


def test_labels_never_overlap_and_stay_inside() -> None:
    points = [(50.0 + i, 50.0 + i) for i in range(6)] + [(150.0, 20.0)]
    boxes = place(points, [(40.0, 10.0)] * len(points), (0.0, 0.0, 200.0, 100.0))
    kept = [b for b in boxes if b]
    assert boxes[-1] is not None and len(kept) >= 4
    assert not any(overlap(a, b) for i, a in enumerate(kept) for b in kept[i + 1:])
    assert all(0 <= b[0] and b[2] <= 200 and 0 <= b[1] and b[3] <= 100 for b in kept)
    crowded = place([(10.0, 10.0)] * 40, [(30.0, 8.0)] * 40, (0.0, 0.0, 60.0, 40.0))
    assert None in crowded  # no room: left out, never stacked


def test_table_cells_carry_sort_key_ci_and_title() -> None:
    text = table_html([{"a": Cell("1.5", 1.5, "1.4–1.6", "95% CI"), "b": "<x>"}],
                      {"a": "p50", "b": "name"}, "t")
    assert "data-v='1.5'" in text and "<small>1.4–1.6</small>" in text
    assert "title='95% CI'" in text and "&lt;x&gt;" in text and "ehFilter" in text
