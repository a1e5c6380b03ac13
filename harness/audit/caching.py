"""Caching (after MLPerf TEST04): the same input repeated must not run faster than new ones.

mlcommons/inference compliance/nvidia/TEST04/README.md: TEST04 issues the same sample
(audit.config: `performance_issue_same = 1`, `performance_issue_same_index = 3`) and "can be
at most 10% faster than the standard performance run". Our side-by-side version interleaves,
in each round and in alternating order, a block of queries repeating one input and a block of
inputs never issued before (LoadGen's `performance_issue_unique` mode), so that a cache keyed by
the input can only ever hit in the repeat block, and slow drift of the machine hits both alike.
The verdict is on the median over rounds of (unique-block median / repeat-block median) with its
distribution-free interval: FAIL when the whole interval is above the limit, PASS when it is at
or below, INCONCLUSIVE when it straddles the limit (the noise is too large to decide).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.audit.verdict import AuditResult, Verdict, median_ci
from harness.scenarios.native_loop import timed_region

NAME = "caching"
Inputs = dict[str, np.ndarray]


def _block_median_ns(session: Any, feeds: Sequence[Inputs]) -> float:
    """Return the median latency (ns) of one query per feed, back to back."""
    clock, out = time.perf_counter_ns, np.empty(len(feeds), dtype=np.int64)
    for k, feed in enumerate(feeds):
        t0 = clock()
        session.run(feed)
        session.synchronize()
        out[k] = clock() - t0
    return float(np.median(out))


def time_rounds(session: Any, same: Inputs, unique: Sequence[Inputs], rounds: int,
                block: int) -> list[tuple[float, float]]:
    """Return per round (repeat-block median, unique-block median) in ns; each unique input is
    issued once, the order of the two blocks alternates between rounds."""
    pairs = []
    with timed_region(None):
        for r in range(rounds):
            fresh = unique[r * block:(r + 1) * block]
            repeat = [same] * block
            if r % 2:
                u, s = _block_median_ns(session, fresh), _block_median_ns(session, repeat)
            else:
                s, u = _block_median_ns(session, repeat), _block_median_ns(session, fresh)
            pairs.append((s, u))
    return pairs


def judge_rounds(pairs: Sequence[tuple[float, float]], limit: float, confidence: float
                 ) -> AuditResult:
    """Return the verdict on the per-round speed-up of repeats (unique / repeat median)."""
    ratios = np.array([u / s for s, u in pairs if s > 0])
    ci = median_ci(ratios, confidence)
    figures: dict[str, Any] = {"rounds": len(pairs), "ratios": ratios.round(4).tolist(),
                               "repeat_median_ns": float(np.median([s for s, _ in pairs])),
                               "unique_median_ns": float(np.median([u for _, u in pairs]))}
    if ci is None:
        return AuditResult(NAME, Verdict.INCONCLUSIVE, f"{len(ratios)} rounds cannot bound a "
                           "median", figures)
    median, low, high = ci
    figures.update(speedup=median, speedup_ci=[low, high], limit=limit)
    text = (f"repeats run {median:.3f}x as fast as new inputs "
            f"({confidence:.0%} CI {low:.3f}-{high:.3f}; limit {limit})")
    if low > limit:
        return AuditResult(NAME, Verdict.FAIL, text + ": results are cached", figures)
    if high <= limit:
        return AuditResult(NAME, Verdict.PASS, text, figures)
    return AuditResult(NAME, Verdict.INCONCLUSIVE, text + ": the interval straddles the "
                       "limit; rerun on a quieter machine or with more rounds", figures)
