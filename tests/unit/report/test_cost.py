"""Cost per million inferences and residency facts, checked against hand arithmetic."""

from __future__ import annotations

import pytest

from harness.core.errors import ConfigError
from harness.report.cost import crossover_per_month, device_line, server_line
from harness.report.cost_inputs import cost_inputs
from harness.report.residency import residency


def test_device_cost_by_hand() -> None:
    line = device_line("dev", 120.0, 5.0, 0.1, 0.036, 0.25, 1e-3)
    assert line.fixed_eur_per_month == pytest.approx(2.0)
    assert line.eur_per_million() == pytest.approx(2.0 / 262.98e6 * 1e6 + 0.0025)


def test_server_cost_by_hand() -> None:
    line = server_line("dc", 0.5, 2e-3, 0.5, wire_gb=1e-5, egress_eur_per_gb=0.1)
    assert line.eur_per_million() == pytest.approx(0.5 / (3600 * 250) * 1e6 + 1.0)


def test_crossover_volume_by_hand() -> None:
    a = server_line("a", 10 / 730.5, 1e-6, 0.5, 1.0, 1e-6)
    b = server_line("b", 100 / 730.5, 1e-6, 0.5, 1.0, 1e-7)
    assert crossover_per_month(a, b) == pytest.approx(1e8)


def test_missing_price_names_the_key() -> None:
    with pytest.raises(ConfigError, match="cost.price_eur_per_hour"):
        cost_inputs("my_cloud", "datacenter", {"egress_eur_per_gb": 0.09})


def test_inputs_are_traced() -> None:
    inputs = cost_inputs("on_device", "on_device", {"purchase_eur": 80, "lifetime_years": 4,
                                                    "duty_cycle": 0.1, "country": "EU27"},
                         {"purchase_eur": "120"})
    assert "nrg_pc_205" in inputs.values["electricity_eur_per_kwh"].source
    assert "--cost-set" in inputs.values["purchase_eur"].source


def test_us_provider_gets_the_cloud_act() -> None:
    res = residency("c", {"processed_in": "eu_region_us_provider", "provider_jurisdiction": "US"})
    assert res is not None and "us_cloud_act" in res.compelled_access
