"""Deployment model: queueing, transfer, energy and crossovers, checked by hand arithmetic."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.cli import main
from harness.core.errors import ConfigError
from harness.report.deployment import (
    J_PER_KWH,
    Payload,
    SideMeasurement,
    datacenter,
    on_device,
    rtt_crossover_ms,
    wait_s,
)
from harness.report.deployment_config import load_preset, shipped_presets
from harness.report.deployment_runs import payload_of
from harness.report.load import load_runs
from tests.unit.report.records_factory import make_record, write_records

PAYLOAD = Payload(request_bytes=12288, response_bytes=40)


def side(latency_ms: float, gross_j: float = 0.01, net_j: float = 0.005) -> SideMeasurement:
    return SideMeasurement(latency_ms / 1e3, latency_ms / 1e3, gross_j, net_j, 10.0, False, "r")


def test_queueing_md1_is_half_mm1() -> None:
    assert wait_s(1.0, 0.5, "md1") == pytest.approx(0.5)
    assert wait_s(1.0, 0.5, "mm1") == pytest.approx(1.0)


def test_shipped_presets_load_with_sources() -> None:
    names = [p.name for p in shipped_presets()]
    assert names[0] == "on_device"
    assert {"edge_server", "cloud_fixed", "cloud_mobile"} <= set(names)
    assert load_preset("cloud_fixed").server.pue == pytest.approx(1.1)
    assert load_preset("cloud_mobile").network.average_kwh_per_gb == pytest.approx(0.1)


def test_bad_preset_says_what_to_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nserver: {utilisation: 1.5}\n")
    with pytest.raises(ConfigError, match="utilisation"):
        load_preset(str(bad))
    with pytest.raises(ConfigError, match="cloud_fixed"):
        load_preset("cloud_fixd")


def test_datacenter_latency_and_energy_by_hand() -> None:
    cfg = load_preset("cloud_fixed")
    res = datacenter(side(1.0), PAYLOAD, cfg)
    up = (12288 + 400) * 8 / 20e6
    down = (40 + 400) * 8 / 100e6
    network = 0.030 + up + down + 0.05e-3
    assert res.network_s == pytest.approx(network)
    assert res.latency_s == pytest.approx(network + 0.5 * 1e-3 / (2 * 0.5) + 1e-3)
    server = 1.1 * (0.005 + 10.0 / (0.5 / 1e-3))
    net_avg = (12288 + 40 + 800) / 1e9 * 0.06 * J_PER_KWH
    assert res.energy_avg_j == pytest.approx(server + net_avg)
    assert res.co2e_g == pytest.approx((server + net_avg) / J_PER_KWH * 251.0)


def test_rtt_crossover_flips_the_latency_verdict() -> None:
    cfg = load_preset("edge_server")
    dev = on_device(side(10.0), load_preset("on_device"))
    dc = datacenter(side(1.0), PAYLOAD, cfg)
    rtt = rtt_crossover_ms(dev, dc, cfg)
    assert rtt is not None and rtt > cfg.network.rtt_ms
    at = datacenter(side(1.0), PAYLOAD, replace(cfg, network=replace(cfg.network, rtt_ms=rtt)))
    assert at.latency_s == pytest.approx(dev.latency_s)


def test_payload_from_record(tmp_path: Path) -> None:
    run = load_runs([write_records(tmp_path, [make_record()])])[0]
    payload, how = payload_of(run)
    assert payload == Payload(3 * 32 * 32 * 4, 40)
    assert "logits" in how


def test_cli_writes_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev = write_records(tmp_path / "dev", [make_record(median_ms=20.0, host="pi")])
    dc = write_records(tmp_path / "dc", [make_record(median_ms=0.5, host="srv")])
    with pytest.raises(SystemExit) as exit_info:
        main(["deploy", "--device", str(dev), "--datacenter", str(dc),
              "--out", str(tmp_path / "o")])
    assert exit_info.value.code == 0
    text = (tmp_path / "o" / "deployment.md").read_text()
    assert "latency: edge_server wins" in text
    assert "crossover cloud_fixed" in text
    assert "crossover" in capsys.readouterr().out
