"""Regression check against a saved baseline folder (`harness check DIR --against BASE`).

Runs are matched on model × quant × target × scenario. A metric regresses when it is worse than
the baseline by more than the threshold (latency/energy higher, throughput lower) AND the two 95 %
intervals do not overlap; a change beyond the threshold but within noise is reported, not failed,
so a noisy CI machine does not fail builds on chance. Metrics without intervals (throughput)
fail on the threshold alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.core.errors import ConfigError, unknown_name
from harness.records.schema import Status
from harness.report.compare import metric
from harness.report.load import Run
from harness.report.select import lookup

MATCH_KEYS = ("model", "quant", "target", "scenario")
HIGHER_IS_BETTER = {"throughput"}
CHECK_METRICS = ("p50", "p90", "p95", "p99", "energy", "throughput")


def check_metric(name: str) -> str:
    """Return `name` if `harness check --metric` accepts it, else raise listing the valid ones."""
    if name not in CHECK_METRICS:
        raise unknown_name("--metric", name, CHECK_METRICS)
    return name


@dataclass(frozen=True)
class Verdict:
    """One matched run's comparison: relative change (fraction), and whether it regressed."""

    key: str
    baseline: float
    current: float
    change: float
    within_noise: bool
    regressed: bool


def parse_threshold(text: str) -> float:
    """Return a threshold fraction from '10%' or '0.1'."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError as exc:
        raise ConfigError(f"--threshold '{text}' is not a number.",
                          "Write e.g. --threshold 10% or --threshold 0.1.") from exc
    if value <= 0:
        raise ConfigError(f"--threshold must be positive, got {text}.", "Use e.g. 10%.")
    return value


def _key(run: Run) -> str:
    return "/".join(str(lookup(run, k)) for k in MATCH_KEYS)


def check(current: Sequence[Run], baseline: Sequence[Run], name: str, threshold: float
          ) -> list[Verdict]:
    """Return a verdict per run present (ok) in both sets for metric `name`."""
    base = {_key(r): r for r in baseline if r.record.status is Status.ok}
    verdicts = []
    for run in current:
        ref = base.get(_key(run))
        now, then = metric(run, name), metric(ref, name) if ref else None
        if run.record.status is not Status.ok or now is None or then is None or not then.value:
            continue
        change = now.value / then.value - 1.0
        worse = -change if name in HIGHER_IS_BETTER else change
        noise = now.overlaps(then)
        verdicts.append(Verdict(_key(run), then.value, now.value, change, noise,
                                worse > threshold and not noise))
    return verdicts
