"""Statistics as pure functions of raw latency samples (integer nanoseconds).

Conventions, chosen to match MLPerf LoadGen (``loadgen/results.cc``):

* A percentile is the nearest-rank "higher" order statistic LoadGen reports:
  ``sorted[floor(n * fraction)]`` (0-based, clamped to the last sample).
* Early stopping (``loadgen/early_stopping.cc``): with ``q = 1 - p + tolerance`` the
  chance that one query is over-latency, LoadGen accepts ``t`` over-latency queries among
  ``n`` while ``BinomialCDF(t; n, q) < 1 - confidence`` (confidence 0.99, tolerance 0).
  The estimate is ``sorted[n - t]`` for the largest such ``t``; no estimate when even
  ``t = 1`` fails (fewer than 64 queries for p90, 662 for p99).
* Percentile confidence intervals are distribution-free, from order statistics and the
  binomial distribution; when the upper (or lower) order statistic would fall outside the
  sample the interval does not exist and the percentile is refused (None).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

SUMMARY_FRACTIONS = (0.5, 0.9, 0.95, 0.99)


@dataclass(frozen=True)
class PercentileEstimate:
    """A percentile with its distribution-free confidence interval (ns)."""

    fraction: float
    value_ns: int
    ci_low_ns: int
    ci_high_ns: int
    confidence: float


@dataclass(frozen=True)
class LatencySummary:
    """Summary of raw latencies; a percentile is None when the sample cannot support it."""

    count: int
    min_ns: int
    max_ns: int
    mean_ns: float
    mean_ci_ns: tuple[float, float] | None
    std_ns: float
    cv: float
    p50: PercentileEstimate | None
    p90: PercentileEstimate | None
    p95: PercentileEstimate | None
    p99: PercentileEstimate | None
    confidence: float


@dataclass(frozen=True)
class DriftCheck:
    """Median of the first vs last part of the steady state; drifted when beyond threshold."""

    first_median_ns: float
    last_median_ns: float
    relative_change: float
    drifted: bool


@dataclass(frozen=True)
class TrialSpread:
    """Between-trial spread of per-trial medians (ns)."""

    trials: int
    mean_ns: float
    std_ns: float
    min_ns: float
    max_ns: float
    cv: float


def _array(samples_ns: Sequence[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(samples_ns, dtype=np.int64)
    if arr.size == 0:
        raise ValueError("no samples: take at least one measurement before summarising")
    return arr


def percentile(samples_ns: Sequence[int] | np.ndarray, fraction: float) -> int:
    """Return LoadGen's percentile, sorted[floor(n * fraction)], in ns."""
    arr = np.sort(_array(samples_ns))
    return int(arr[min(int(arr.size * fraction), arr.size - 1)])


def binomial_cdf(n: int, prob: float) -> np.ndarray:
    """Return P(Binomial(n, prob) <= k) for k = 0..n, computed in log space (dimensionless)."""
    if prob <= 0.0 or prob >= 1.0:
        return np.ones(n + 1) if prob <= 0.0 else np.r_[np.zeros(n), 1.0]
    k = np.arange(n, dtype=np.float64)
    log_ratio = np.log((n - k) / (k + 1)) + math.log(prob / (1 - prob))
    log_pmf = np.r_[n * math.log1p(-prob), n * math.log1p(-prob) + np.cumsum(log_ratio)]
    pmf = np.exp(log_pmf - log_pmf.max())
    return np.minimum(np.cumsum(pmf) / pmf.sum(), 1.0)


def percentile_ci_ranks(n: int, fraction: float, confidence: float) -> tuple[int, int] | None:
    """Return 1-based order-statistic ranks (low, high) bracketing the quantile, or None."""
    alpha = 1.0 - confidence
    cdf = binomial_cdf(n, fraction)  # cdf[r - 1] = P(fewer than r samples below the quantile)
    lows = np.nonzero(cdf[:n] <= alpha / 2)[0]
    highs = np.nonzero(cdf[:n] >= 1 - alpha / 2)[0]
    if lows.size == 0 or highs.size == 0:
        return None
    return int(lows[-1]) + 1, int(highs[0]) + 1


def percentile_estimate(
    samples_ns: Sequence[int] | np.ndarray, fraction: float, confidence: float = 0.95
) -> PercentileEstimate | None:
    """Return the percentile (ns) with its order-statistic CI, or None when unsupported."""
    arr = np.sort(_array(samples_ns))
    ranks = percentile_ci_ranks(arr.size, fraction, confidence)
    if ranks is None:
        return None
    value = int(arr[min(int(arr.size * fraction), arr.size - 1)])
    low, high = int(arr[ranks[0] - 1]), int(arr[ranks[1] - 1])
    return PercentileEstimate(fraction, value, low, high, confidence)


def t_quantile(prob: float, df: int) -> float:
    """Return Student's t quantile (dimensionless); exact for df 1-2, series beyond."""
    if df == 1:
        return math.tan(math.pi * (prob - 0.5))
    if df == 2:
        return (2 * prob - 1) / math.sqrt(2 * prob * (1 - prob))
    z = NormalDist().inv_cdf(prob)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean_ci(
    samples_ns: Sequence[int] | np.ndarray, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Return the t-interval (low, high) of the mean in ns, or None for fewer than 2 samples."""
    arr = _array(samples_ns).astype(np.float64)
    if arr.size < 2:
        return None
    half = t_quantile(0.5 + confidence / 2, arr.size - 1) * arr.std(ddof=1) / math.sqrt(arr.size)
    return float(arr.mean() - half), float(arr.mean() + half)


def std_ns(samples_ns: Sequence[int] | np.ndarray) -> float:
    """Return the sample standard deviation (ddof=1) in ns; 0 for a single sample."""
    arr = _array(samples_ns).astype(np.float64)
    return float(arr.std(ddof=1)) if arr.size > 1 else 0.0


def cv(samples_ns: Sequence[int] | np.ndarray) -> float:
    """Return the coefficient of variation std/mean (dimensionless); 0 when the mean is 0."""
    mean = float(_array(samples_ns).mean())
    return std_ns(samples_ns) / mean if mean else 0.0


def early_stopping_overlatency(
    n: int, fraction: float, confidence: float = 0.99, tolerance: float = 0.0
) -> int | None:
    """Return LoadGen's largest tolerated over-latency count t for n queries, or None."""
    cdf = binomial_cdf(n, 1.0 - fraction + tolerance)
    ok = np.nonzero(cdf[1:] < 1.0 - confidence)[0]
    return int(ok[-1]) + 1 if ok.size and ok[0] == 0 else None


def early_stopping_min_queries(
    fraction: float, confidence: float = 0.99, tolerance: float = 0.0
) -> int:
    """Return the fewest queries for which LoadGen gives an early-stopping estimate (count)."""
    n = 2
    while early_stopping_overlatency(n, fraction, confidence, tolerance) is None:
        n = n * 2
    low = n // 2
    while low + 1 < n:
        mid = (low + n) // 2
        ok = early_stopping_overlatency(mid, fraction, confidence, tolerance) is not None
        low, n = (low, mid) if ok else (mid, n)
    return n


def early_stopping_estimate(
    samples_ns: Sequence[int] | np.ndarray, fraction: float, confidence: float = 0.99
) -> int | None:
    """Return LoadGen's early-stopping percentile estimate in ns, or None if too few samples."""
    arr = np.sort(_array(samples_ns))
    t = early_stopping_overlatency(arr.size, fraction, confidence)
    return None if t is None else int(arr[arr.size - t])


def drift_check(
    samples_ns: Sequence[int] | np.ndarray, threshold: float, part: float = 0.2
) -> DriftCheck | None:
    """Return medians of the first/last `part` of the run (ns); None when under 10 samples."""
    arr = _array(samples_ns)
    k = max(int(arr.size * part), 1)
    if arr.size < 10:
        return None
    first, last = float(np.median(arr[:k])), float(np.median(arr[-k:]))
    change = (last - first) / first if first else 0.0
    return DriftCheck(first, last, change, abs(change) > threshold)


def trial_spread(trial_medians_ns: Sequence[float]) -> TrialSpread:
    """Return mean, std, min, max (ns) and CV of per-trial medians."""
    arr = np.asarray(trial_medians_ns, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("no trials: run at least one trial")
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    mean = float(arr.mean())
    return TrialSpread(arr.size, mean, std, float(arr.min()), float(arr.max()),
                       std / mean if mean else 0.0)


def summarize(samples_ns: Sequence[int] | np.ndarray, confidence: float = 0.95) -> LatencySummary:
    """Return count, extremes, mean (+CI), std, CV and p50/p90/p95/p99 (+CI) in ns."""
    arr = _array(samples_ns)
    p50, p90, p95, p99 = (percentile_estimate(arr, f, confidence) for f in SUMMARY_FRACTIONS)
    return LatencySummary(
        count=int(arr.size), min_ns=int(arr.min()), max_ns=int(arr.max()),
        mean_ns=float(arr.mean()), mean_ci_ns=mean_ci(arr, confidence), std_ns=std_ns(arr),
        cv=cv(arr), p50=p50, p90=p90, p95=p95, p99=p99, confidence=confidence,
    )
