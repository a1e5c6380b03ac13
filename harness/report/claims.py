"""Vendor claims (configs/claims/*.yaml) judged on confidence intervals: PASS, FAIL, INCONCLUSIVE.

Rule, per matching ok run: PASS when the whole interval satisfies the bound, FAIL when the whole
interval violates it, INCONCLUSIVE when it straddles the bound, when the run has no interval for
the metric, or, for energy claims, when the energy was estimated rather than measured. Over
several matching runs (folders, hosts, repeats): PASS only if every run passes, FAIL only if
every run fails, otherwise INCONCLUSIVE; no matching ok run is INCONCLUSIVE (missing evidence).

Intervals: latency percentiles use the record's distribution-free 95 % CI; throughput takes the
relative half-width of the mean-latency t-interval; energy is ± the meter's relative uncertainty;
`accuracy_rel_fp32` is the Wilson 95 % interval of the task accuracy over its test samples
divided by the FP32 reference accuracy on the same samples. Generative records (tokens/s, TTFT,
TPOT, ITL, e2e, J per output token, a `users` level) are read by harness/report/gen_claims.py.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError
from harness.core.yaml_file import load_yaml
from harness.energy.method import provenance_mark
from harness.records.schema import Status
from harness.report.compare import Interval, latency_ms
from harness.report.gen_claims import GEN_METRICS, gen_interval, has_users, split_users
from harness.report.gen_record import is_generative
from harness.report.load import Run
from harness.report.select import check_keys, matches

OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}
METRICS = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "throughput_sps", "energy_uj_per_inference",
           "accuracy_rel_fp32") + GEN_METRICS
ENERGY_METRICS = ("energy_uj_per_inference", "j_per_output_token")
Z95 = 1.959964


@dataclass(frozen=True)
class Claim:
    """A vendor's claim: which runs (key=value match), metric, comparison and bound."""

    id: str
    metric: str
    op: str
    bound: float
    match: dict[str, Any] = field(default_factory=dict)
    statement: str = ""


@dataclass(frozen=True)
class Evidence:
    """One run's value and interval for a claim, with provenance and its own verdict."""

    run: str
    value: float | None
    low: float | None
    high: float | None
    provenance: str
    verdict: str
    note: str = ""


def load_claims(path: Path) -> list[Claim]:
    """Return the claims in a YAML file; ConfigError naming the bad entry otherwise."""
    data = load_yaml(path, "claims")
    claims = []
    items = data.get("claims", [])
    for i, item in enumerate(items if isinstance(items, list) else [items]):
        try:
            claim = Claim(**{**item, "bound": float(item.get("bound", "nan"))})
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: claim #{i + 1} is malformed: {exc}.",
                              "Each claim needs id, metric, op, bound and match.") from exc
        if not math.isfinite(claim.bound):
            raise ConfigError(f"{path}: claim '{claim.id}' has bound {item.get('bound')!r}, not "
                              "a finite number.", "Set bound to the claimed value, e.g. 0.2.")
        if not isinstance(claim.match, dict):
            raise ConfigError(f"{path}: claim '{claim.id}' has match {claim.match!r}, not a "
                              "mapping of key: value.",
                              "Write e.g. match: {model: digits, quant: int8_static}.")
        split_users(claim.match, claim.id)  # ConfigError for a users level that is no number
        if claim.metric not in METRICS or claim.op not in OPS:
            raise ConfigError(f"{path}: claim '{claim.id}' has metric '{claim.metric}', op "
                              f"'{claim.op}'.", f"Metrics: {', '.join(METRICS)}; ops: "
                              f"{', '.join(OPS)}.")
        claims.append(claim)
    if not claims:
        raise ConfigError(f"{path} holds no claims.", "Add a 'claims:' list; see configs/claims/.")
    return claims


def wilson(p: float, n: int) -> tuple[float, float]:
    """Return the Wilson 95 % interval (fractions) of a proportion p observed over n trials."""
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return centre - half, centre + half


def claim_interval(run: Run, name: str) -> tuple[Interval | None, str]:
    """Return the run's interval for claim metric `name` and a note when it has none."""
    rec = run.record
    if name.endswith("_ms"):
        est = latency_ms(run, name[:-3])
        return (est, "") if est and est.low is not None else (None, "percentile not supported")
    if name == "throughput_sps":
        value, summary = rec.scenario.throughput_sps, rec.scenario.summary
        ci, mean = (summary.mean_ci_ns, summary.mean_ns) if summary else (None, None)
        if value is None or not ci or not mean:
            return None, "no throughput interval"
        rel = (ci[1] - ci[0]) / (2 * mean)
        return Interval(value, value * (1 - rel), value * (1 + rel)), ""
    if name == "energy_uj_per_inference":
        interval = rec.energy.interval(1e6)
        if interval is None:
            return None, "no energy measured"
        return Interval(*interval), ""
    task = rec.accuracy.task or {}
    if not task.get("fp32_reference") or not task.get("samples"):
        return None, "no task accuracy with an FP32 reference"
    low, high = wilson(task["value"], int(task["samples"]))
    ref = task["fp32_reference"]
    return Interval(task["value"] / ref, low / ref, high / ref), ""


def _interval(run: Run, claim: Claim) -> tuple[Interval | None, str]:
    if claim.metric in GEN_METRICS:
        found, note = gen_interval(run.record, claim.metric, split_users(claim.match, claim.id)[0])
        return (Interval(*found) if found else None), note
    if is_generative(run.record):
        return None, (f"{claim.metric} is a tensor metric; this is a generative run (use "
                      "tokens_per_s, ttft_p90_ms, tpot_p50_ms, ...)")
    return claim_interval(run, claim.metric)


def judge_run(run: Run, claim: Claim) -> Evidence:
    """Return one run's evidence and verdict for `claim`."""
    interval, note = _interval(run, claim)
    timer = "measured (timer)"
    energy = claim.metric in ENERGY_METRICS
    prov = (run.record.energy.provenance or "") if energy else timer
    label = f"{run.record.run_id}@{run.record.environment.hostname} ({run.path})"
    if interval is None:
        return Evidence(label, None, None, None, prov, "INCONCLUSIVE", note)
    ok = OPS[claim.op]
    if energy and provenance_mark(prov):
        verdict, note = "INCONCLUSIVE", "energy is estimated, not measured"
    elif ok(interval.low, claim.bound) and ok(interval.high, claim.bound):
        verdict = "PASS"
    elif not ok(interval.low, claim.bound) and not ok(interval.high, claim.bound):
        verdict = "FAIL"
    else:
        verdict, note = "INCONCLUSIVE", "the interval straddles the bound"
    return Evidence(label, interval.value, interval.low, interval.high, prov, verdict, note)


def matching_runs(claim: Claim, runs: Sequence[Run]) -> list[Run]:
    """Return the ok runs `claim` is judged on; ConfigError for a match key no run has."""
    users, rest = split_users(claim.match, claim.id)
    pairs = [(str(k), str(v)) for k, v in rest.items()]
    check_keys(runs, [k for k, _ in pairs], f"match key of claim '{claim.id}'")
    return [r for r in runs if r.record.status is Status.ok and matches(r, pairs)
            and has_users(r.record, users)]


def judge(claim: Claim, runs: Sequence[Run]) -> tuple[str, list[Evidence]]:
    """Return the claim's verdict over all matching ok runs and the evidence behind it."""
    matching = matching_runs(claim, runs)
    evidence = [judge_run(r, claim) for r in matching]
    verdicts = {e.verdict for e in evidence}
    if verdicts == {"PASS"}:
        return "PASS", evidence
    if verdicts == {"FAIL"}:
        return "FAIL", evidence
    return "INCONCLUSIVE", evidence
