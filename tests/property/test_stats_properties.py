"""The statistics never return NaN for finite input, and every interval is ordered.

Samples are what the timing loop records: positive integer nanoseconds, any count >= 1, from
a single repeated value to values spread over twelve orders of magnitude.
"""

from __future__ import annotations

import math
from dataclasses import astuple

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.core import stats

SAMPLES = st.one_of(
    st.lists(st.integers(1, 10**12), min_size=1, max_size=400),
    st.lists(st.integers(10**5, 10**5 + 50), min_size=1, max_size=2000),  # a tight, real run
    st.integers(1, 10**9).flatmap(lambda v: st.lists(st.just(v), min_size=1, max_size=300)),
)
FRACTIONS = st.one_of(st.sampled_from(stats.SUMMARY_FRACTIONS), st.floats(0.01, 0.999))
CONFIDENCE = st.floats(0.5, 0.999)
PROPERTY = settings(max_examples=300, deadline=None, database=None)


def _finite(value: object) -> bool:
    """Return True when no float inside `value` (nested tuples, dataclasses) is NaN or inf."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if hasattr(value, "__dataclass_fields__"):
        return _finite(astuple(value))
    return all(_finite(v) for v in value)


@PROPERTY
@given(SAMPLES, CONFIDENCE)
def test_summary_is_finite_and_its_intervals_are_ordered(samples: list[int],
                                                         confidence: float) -> None:
    summary = stats.summarize(samples, confidence)
    assert _finite(summary), summary
    assert summary.min_ns <= summary.mean_ns <= summary.max_ns or math.isclose(
        summary.mean_ns, summary.min_ns)
    if summary.mean_ci_ns is not None:
        low, high = summary.mean_ci_ns
        assert low <= summary.mean_ns <= high
    assert summary.std_ns >= 0 and summary.cv >= 0
    for est in (summary.p50, summary.p90, summary.p95, summary.p99):
        if est is not None:
            assert summary.min_ns <= est.ci_low_ns <= est.value_ns <= est.ci_high_ns
            assert est.ci_high_ns <= summary.max_ns


@PROPERTY
@given(SAMPLES, FRACTIONS, CONFIDENCE)
def test_percentiles_lie_inside_the_sample(samples: list[int], fraction: float,
                                           confidence: float) -> None:
    value = stats.percentile(samples, fraction)
    assert min(samples) <= value <= max(samples)
    est = stats.percentile_estimate(samples, fraction, confidence)
    if est is not None:
        assert est.ci_low_ns <= est.value_ns <= est.ci_high_ns
    early = stats.early_stopping_estimate(samples, fraction)
    assert early is None or min(samples) <= early <= max(samples)


@PROPERTY
@given(SAMPLES, st.floats(0.0, 1.0))
def test_drift_and_spread_are_finite(samples: list[int], threshold: float) -> None:
    drift = stats.drift_check(samples, threshold)
    assert drift is None or _finite(drift)
    spread = stats.trial_spread([float(s) for s in samples[:20]])
    assert _finite(spread) and spread.std_ns >= 0 and spread.cv >= 0
    assert spread.min_ns <= spread.max_ns
    assert spread.min_ns * (1 - 1e-12) <= spread.mean_ns <= spread.max_ns * (1 + 1e-12)


@PROPERTY
@given(st.integers(1, 5000), st.floats(0.0, 1.0))
def test_binomial_cdf_is_a_finite_non_decreasing_probability(n: int, prob: float) -> None:
    cdf = stats.binomial_cdf(n, prob)
    assert len(cdf) == n + 1 and all(math.isfinite(c) and 0.0 <= c <= 1.0 for c in cdf)
    assert all(a <= b + 1e-12 for a, b in zip(cdf, cdf[1:], strict=False))
