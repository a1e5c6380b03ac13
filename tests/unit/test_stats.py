"""Tests for harness.core.stats against known distributions and LoadGen's conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.core import stats


def test_percentile_uses_loadgen_index() -> None:
    samples = list(range(10, 0, -1))  # sorted: 1..10
    assert stats.percentile(samples, 0.5) == 6  # sorted[floor(10 * 0.5)]
    assert stats.percentile(samples, 0.05) == 1  # floor, where numpy "higher" gives 2
    assert stats.percentile(samples, 0.9) == 10
    assert stats.percentile(samples, 1.0) == 10


def test_binomial_cdf_matches_exact_sum() -> None:
    n, p = 30, 0.2
    exact = np.cumsum([math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])
    np.testing.assert_allclose(stats.binomial_cdf(n, p), exact, rtol=1e-9, atol=1e-12)


def test_p99_needs_upper_order_statistic() -> None:
    # 95 % two-sided: the upper rank exists iff 0.99**n <= 0.025, i.e. n >= 368.
    assert stats.percentile_ci_ranks(367, 0.99, 0.95) is None
    assert stats.percentile_ci_ranks(368, 0.99, 0.95) == (360, 368)
    assert stats.percentile_estimate(np.arange(300), 0.99) is None


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.99])
def test_ci_covers_true_quantile_exponential(fraction: float) -> None:
    rng = np.random.default_rng(1)
    true_q = -math.log(1 - fraction) * 1e6
    est = stats.percentile_estimate((rng.exponential(1e6, 2000)).astype(np.int64), fraction)
    assert est is not None and est.ci_low_ns <= true_q <= est.ci_high_ns
    assert est.ci_low_ns <= est.value_ns <= est.ci_high_ns


def test_ci_coverage_is_nominal() -> None:
    rng = np.random.default_rng(7)
    reps, n, fraction = 400, 300, 0.9
    true_q = fraction * 1e6
    hits = 0
    for _ in range(reps):
        est = stats.percentile_estimate(rng.uniform(0, 1e6, n).astype(np.int64), fraction)
        assert est is not None
        hits += est.ci_low_ns <= true_q <= est.ci_high_ns
    assert 0.92 <= hits / reps <= 0.995  # exact order-statistic CIs are slightly conservative


def test_mean_ci_coverage_is_nominal() -> None:
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(400):
        ci = stats.mean_ci(rng.normal(1e6, 1e5, 8).astype(np.int64))
        assert ci is not None
        hits += ci[0] <= 1e6 <= ci[1]
    assert 0.92 <= hits / 400 <= 0.98


@pytest.mark.parametrize(("df", "expected"), [(1, 12.706), (2, 4.303), (5, 2.571),
                                              (10, 2.228), (30, 2.042)])
def test_t_quantile(df: int, expected: float) -> None:
    assert stats.t_quantile(0.975, df) == pytest.approx(expected, rel=2e-3)


def test_single_sample_summary() -> None:
    s = stats.summarize([1234])
    assert (s.count, s.min_ns, s.max_ns, s.std_ns, s.cv) == (1, 1234, 1234, 0.0, 0.0)
    assert s.mean_ci_ns is None and s.p50 is None and s.p99 is None


def test_constant_samples() -> None:
    s = stats.summarize([500] * 1000)
    assert s.std_ns == 0.0 and s.cv == 0.0
    assert s.p99 is not None and (s.p99.value_ns, s.p99.ci_low_ns, s.p99.ci_high_ns) == (
        500, 500, 500)
    assert s.mean_ci_ns == (500.0, 500.0)


def test_too_few_for_p99_but_enough_for_p50() -> None:
    s = stats.summarize(np.random.default_rng(0).integers(1, 1000, 100))
    assert s.p50 is not None and s.p90 is not None and s.p99 is None


def test_empty_samples_raise() -> None:
    with pytest.raises(ValueError):
        stats.summarize([])


def test_early_stopping_minimums_match_mlperf() -> None:
    assert stats.early_stopping_min_queries(0.9) == 64
    assert stats.early_stopping_min_queries(0.99) == 662


def test_early_stopping_estimate() -> None:
    samples = np.arange(1, 483)  # LoadGen logged "would discard 32" for 482 queries at p90
    assert stats.early_stopping_overlatency(482, 0.9) == 33
    assert stats.early_stopping_estimate(samples, 0.9) == 482 - 32
    assert stats.early_stopping_estimate(np.arange(63), 0.9) is None
    assert stats.early_stopping_estimate(np.arange(64), 0.9) == 63


def test_drift_check() -> None:
    steady = np.full(100, 1000)
    slowing = np.r_[np.full(50, 1000), np.full(50, 1500)]
    assert not stats.drift_check(steady, 0.1).drifted
    drift = stats.drift_check(slowing, 0.1)
    assert drift.drifted and drift.relative_change == pytest.approx(0.5)
    assert stats.drift_check(np.arange(5), 0.1) is None


def test_trial_spread() -> None:
    spread = stats.trial_spread([100.0, 110.0, 90.0])
    assert (spread.trials, spread.mean_ns, spread.min_ns, spread.max_ns) == (3, 100.0, 90.0, 110.0)
    assert spread.std_ns == pytest.approx(10.0) and spread.cv == pytest.approx(0.1)
    assert stats.trial_spread([5.0]).std_ns == 0.0
