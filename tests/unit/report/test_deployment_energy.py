"""Energy on both ends in harness deploy: network J from bytes, the server's own J, the measured
payload, checked by hand arithmetic and through the real command on written records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.cli import main
from harness.records.schema import RunRecord
from harness.report.deployment import J_PER_KWH, Payload, SideMeasurement, datacenter
from harness.report.deployment_config import load_preset
from harness.report.deployment_energy import (
    j_per_byte,
    measured_payload,
    network_j,
    network_lines,
    pair_payload,
    with_server_energy,
)
from harness.report.deployment_runs import measurement
from harness.report.load import load_runs
from tests.unit.report.records_factory import make_record, write_records

SERVER = {"reported": True, "meter": "estimated", "provenance": "estimated",
          "gross_j_per_query": 0.09, "net_j_per_query": 0.06, "idle_power_w": 10.0,
          "uncertainty_rel": 0.5, "window_s": 2.0}


def remote_record(server: dict | None, payload: dict | None = None) -> RunRecord:
    base = make_record(target="remote", median_ms=3.0, energy_j=0.04, provenance="estimated")
    energy = {**base.energy.to_dict(), **({"server": server} if server is not None else {})}
    backend = {"name": "remote", "payload": payload or {"request_bytes": 12459,
                                                       "response_bytes": 184}}
    return replace(base, energy=energy, backend=backend)


def test_network_joules_per_byte_from_the_presets_kwh_per_gb() -> None:
    assert j_per_byte(1.0) == pytest.approx(3.6e-3)  # 1 kWh/GB = 3.6 MJ / 1e9 B
    assert j_per_byte(0.06) == pytest.approx(2.16e-4)
    assert network_j(12_000, 0.06) == pytest.approx(12_000 * 0.06 * J_PER_KWH / 1e9)
    assert network_j(0, 0.1) == 0.0


def test_network_energy_lines_match_the_models_own_term_and_cite_the_source() -> None:
    cfg = load_preset("cloud_eu_fixed")
    payload = Payload(12459, 184)
    wire = 12459 + 184 + 2 * cfg.payload.overhead_bytes
    [line] = network_lines(payload, "measured", [load_preset("on_device"), cfg])
    assert f"{wire} B/query" in line and "Aslan" in line and "Mytton" in line
    result = datacenter(side_of(0.09), payload, cfg)
    assert result.network_avg_j == pytest.approx(network_j(wire, cfg.network.average_kwh_per_gb))
    assert f"{network_j(wire, 0.06) * 1e3:.3g} mJ" in line


def side_of(gross_j: float) -> SideMeasurement:
    return SideMeasurement(0.003, 0.003, gross_j, None, None, True, "r")


def test_a_remote_run_stands_for_the_server_with_the_servers_own_energy(tmp_path: Path) -> None:
    [run] = load_runs([write_records(tmp_path / "a", [remote_record(SERVER)])])
    side, line = with_server_energy(run, measurement(run))
    assert side.gross_j == pytest.approx(0.09) and side.net_j == pytest.approx(0.06)
    assert side.idle_power_w == 10.0 and side.estimated
    assert "server's own 90 mJ/query" in line and "estimated" in line
    assert measured_payload(run) == Payload(12459, 184)


def test_without_server_energy_the_clients_energy_is_not_taken_for_the_servers(
        tmp_path: Path) -> None:
    absent = {"reported": False, "reason": "not reported by this server: it has no model "
              "'resnet8.harness'"}
    [run] = load_runs([write_records(tmp_path / "b", [remote_record(absent)])])
    side, line = with_server_energy(run, measurement(run))
    assert side.gross_j is None and side.net_j is None
    assert "not reported by this server" in line
    local = make_record()
    [dev] = load_runs([write_records(tmp_path / "c", [local])])
    assert with_server_energy(dev, measurement(dev)) == (measurement(dev), "")
    assert pair_payload(dev, None, (Payload(1, 2), "tensors")) == (Payload(1, 2), "tensors")
    assert pair_payload(dev, run, (Payload(1, 2), "tensors"))[0] == Payload(12459, 184)


def test_harness_deploy_prints_server_and_network_energy(tmp_path: Path) -> None:
    dev = write_records(tmp_path / "dev", [make_record(provenance="estimated")])
    dc = write_records(tmp_path / "dc", [remote_record(SERVER)])
    with pytest.raises(SystemExit) as exit_info:
        main(["deploy", "--device", str(dev), "--datacenter", str(dc), "--presets",
              "on_device", "cloud_eu_fixed", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 0
    text = (tmp_path / "out" / "deployment.md").read_text()
    assert "the server's own 90 mJ/query" in text
    assert "network energy cloud_eu_fixed (modelled, not metered): 13443 B/query" in text
    assert "measured on the wire by the remote client" in text
