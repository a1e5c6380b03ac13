"""The rate search both the tensor and the generative server scenarios use."""

import time

from harness.scenarios.search import highest_valid


def test_it_finds_the_highest_accepted_rate_within_the_tolerance() -> None:
    found = highest_valid(lambda r: r <= 37.0, 100.0, 2.0, 1e-3, time.monotonic() + 5, 0.01)
    assert found is not None and 37.0 / 1.01 <= found <= 37.0


def test_it_brackets_upward_when_the_start_is_too_low() -> None:
    found = highest_valid(lambda r: r <= 500.0, 10.0, 4.0, 1e-3, time.monotonic() + 5, 0.05)
    assert found is not None and 500.0 / 1.05 <= found <= 500.0


def test_no_accepted_rate_above_the_floor_is_none() -> None:
    assert highest_valid(lambda r: False, 100.0, 4.0, 1e-3, time.monotonic() + 5, 0.05) is None
