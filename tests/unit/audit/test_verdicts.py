"""The audits' verdicts as pure functions of logged outputs and timed rounds."""

from __future__ import annotations

import numpy as np
import pytest

from harness.audit.accuracy_mode import judge_logged
from harness.audit.caching import judge_rounds
from harness.audit.config import AuditConfig
from harness.audit.skipped_work import judge_outputs, judge_skipped_work
from harness.audit.verdict import Verdict
from harness.core.errors import ConfigError

RNG = np.random.default_rng(0)
ACC = [[RNG.normal(size=(1, 10)).astype(np.float32)] for _ in range(32)]


def test_identical_logged_outputs_pass() -> None:
    logged = [(i, [a[0].copy()]) for i, a in enumerate(ACC[:8])]
    result = judge_logged(ACC, logged, True, 0.999)
    assert result.verdict is Verdict.PASS and result.figures["identical"] == 8


def test_tiny_nondeterminism_passes_within_tolerance() -> None:
    logged = [(i, [a[0] + np.float32(1e-6)]) for i, a in enumerate(ACC[:8])]
    result = judge_logged(ACC, logged, True, 0.999)
    assert result.verdict is Verdict.PASS and "within tolerance" in result.reason


def test_stale_logged_outputs_fail() -> None:
    logged = [(i, [ACC[0][0]]) for i in range(1, 9)]  # every query got sample 0's output
    result = judge_logged(ACC, logged, True, 0.999)
    assert result.verdict is Verdict.FAIL and result.figures["top1_mismatches"] > 0


def test_nothing_logged_is_inconclusive() -> None:
    assert judge_logged(ACC, [], False, 0.999).verdict is Verdict.INCONCLUSIVE


def test_outputs_ignoring_the_input_fail_skipped_work() -> None:
    ref = np.stack([a[0].ravel() for a in ACC]).astype(np.float64)
    constant = np.repeat(ref[:1], len(ref), axis=0)
    assert judge_outputs("run", ref, ref, 0.5, 0.1).verdict is Verdict.PASS
    result = judge_outputs("run", constant, ref, 0.5, 0.1)
    assert result.verdict is Verdict.FAIL and "do not depend on the input" in result.reason


def test_outputs_repeated_across_distinct_inputs_fail_skipped_work() -> None:
    ref = np.stack([a[0].ravel() for a in ACC]).astype(np.float64)
    got = ref.copy()
    got[1::2] = got[0::2]  # every odd input got its neighbour's output: spread barely drops
    result = judge_outputs("run", got, ref, 0.5, 0.1)
    assert result.verdict is Verdict.FAIL and "identical to another input's" in result.reason


def test_skipped_work_takes_the_worst_part() -> None:
    ref = np.stack([a[0].ravel() for a in ACC]).astype(np.float64)
    good = judge_outputs("accuracy run", ref, ref, 0.5, 0.1)
    bad = judge_outputs("timed run", np.repeat(ref[:1], 32, axis=0), ref, 0.5, 0.1)
    merged = judge_skipped_work([good, bad])
    assert merged.verdict is Verdict.FAIL and merged.reason.startswith("timed run")


def test_model_without_input_dependence_is_inconclusive() -> None:
    flat = np.ones((16, 10))
    assert judge_outputs("run", flat, flat, 0.5, 0.1).verdict is Verdict.INCONCLUSIVE


@pytest.mark.parametrize(("speedups", "verdict"), [
    ([1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0, 1.0, 1.02, 0.98], Verdict.PASS),
    ([3.0, 3.1, 2.9, 3.05, 2.95, 3.0, 3.1, 2.9, 3.0, 3.0, 3.02, 2.98], Verdict.FAIL),
    ([0.6, 1.4, 0.9, 1.3, 0.7, 1.2, 1.5, 0.8, 1.0, 1.25, 0.65, 1.35], Verdict.INCONCLUSIVE),
])
def test_caching_verdict_is_on_the_interval(speedups: list[float], verdict: Verdict) -> None:
    pairs = [(100_000.0, 100_000.0 * s) for s in speedups]
    result = judge_rounds(pairs, 1.10, 0.95)
    assert result.verdict is verdict
    low, high = result.figures["speedup_ci"]
    assert low <= result.figures["speedup"] <= high


def test_too_few_rounds_are_inconclusive() -> None:
    assert judge_rounds([(1.0, 1.0)] * 3, 1.1, 0.95).verdict is Verdict.INCONCLUSIVE


def test_bad_settings_are_config_errors_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="rounds=2"):
        AuditConfig(rounds=2)
