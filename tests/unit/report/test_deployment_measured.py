"""Which preset a measured remote run belongs to, and the error arithmetic (hand values)."""

from __future__ import annotations

import pytest

from harness.report.deployment_config import load_preset
from harness.report.deployment_measured import error, matches


def _link(kind: str, rtt_ms: float | None) -> dict:
    return {"kind": kind, "label": kind, "rtt_ms": rtt_ms, "uplink_mbps": None,
            "downlink_mbps": None}


@pytest.mark.parametrize("rtt_ms,preset,expected", [
    (2.0, "edge_server", True),      # eu_metro_edge's 2 ms
    (2.0, "cloud_fixed", False),
    (50.0, "cloud_mobile", True),    # lte_uplink's 50 ms
    (15.0, "cloud_eu_fixed", False),  # eu_cloud_region: no shipped 15 ms preset
    (2.5, "edge_server", True),      # the 0.5 ms floor
    (2.6, "edge_server", False),
    (33.0, "cloud_fixed", True),     # 10 % of 30 ms
    (33.1, "cloud_fixed", False),
])
def test_a_link_matches_the_preset_of_its_rtt(rtt_ms: float, preset: str,
                                              expected: bool) -> None:
    assert matches(_link("emulated", rtt_ms), load_preset(preset)) is expected


def test_loopback_and_an_unknown_rtt_match_no_preset() -> None:
    for cfg in ("edge_server", "cloud_fixed", "on_device"):
        assert not matches(_link("loopback", 0.0), load_preset(cfg))
        assert not matches(_link("real", None), load_preset(cfg))


def test_the_error_is_modelled_minus_measured_in_ms_and_percent() -> None:
    assert error(10.0, 8.0) == pytest.approx((2.0, 25.0))
    assert error(53.5, 58.5) == pytest.approx((-5.0, -100 * 5 / 58.5))
    assert error(None, 8.0) == (None, None) and error(1.0, None) == (None, None)
