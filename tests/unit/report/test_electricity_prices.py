"""The built-in Eurostat electricity prices: each entry cited, one band and period, clear misses."""

from __future__ import annotations

import pytest

from harness.core.errors import ConfigError
from harness.core.yaml_file import load_yaml
from harness.report.cost_inputs import ELECTRICITY_FILE, cost_inputs, electricity

EU_MEMBERS = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "EL", "HU", "IE",
              "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}


@pytest.fixture(scope="module")
def table() -> dict:
    return load_yaml(ELECTRICITY_FILE, "electricity price")


def test_every_entry_has_price_period_band_and_source(table: dict) -> None:
    for code, entry in table["prices"].items():
        assert isinstance(code, str), f"{code!r}: quote the key (YAML reads a bare NO as false)"
        assert 0 < entry["eur_per_kwh"] < 1, code
        assert entry["period"] == table["period"], f"{code}: one period for the whole file"
        assert entry["band"] == "IC", f"{code}: one consumption band for the whole file"
        assert "nrg_pc_205" in entry["source"] and "https://" in entry["source"], code


def test_each_member_state_is_priced_or_its_absence_explained(table: dict) -> None:
    missing = table.get("missing") or {}
    assert EU_MEMBERS <= set(table["prices"]) | set(missing)
    assert all(len(why) > 20 for why in missing.values())
    assert not set(missing) & set(table["prices"])


def test_lookup_uses_eurostat_codes_and_cites_period() -> None:
    greece = electricity("el")
    assert greece.unit == "EUR/kWh" and "EL, 2024-S2, band IC" in greece.source
    assert electricity("NO").value == pytest.approx(0.0684)


def test_country_not_in_the_file_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="No Eurostat electricity price for country 'XX'") as err:
        electricity("XX")
    assert "electricity_eur_per_kwh" in err.value.hint


def test_a_listed_gap_gives_its_reason() -> None:
    with pytest.raises(ConfigError, match="no 2024-S2 value"):
        electricity("IS")


def test_preset_country_reaches_the_cost_inputs() -> None:
    inputs = cost_inputs("on_device", "on_device", {"purchase_eur": 80, "lifetime_years": 4,
                                                    "duty_cycle": 0.1, "country": "DE"})
    traced = inputs.values["electricity_eur_per_kwh"]
    assert traced.value == pytest.approx(0.2359) and "Qery-Data/Energy" in traced.source
