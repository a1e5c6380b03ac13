"""Compare runs across folders: join, pick a baseline per run, compute ratios (pure, no I/O).

Join: runs are joined on model × quant × scenario, less any key the baseline spec fixes (so
`--baseline quant=fp32` compares int8 with fp32 of the same model and scenario). Within a joined
group a run's baseline is the baseline-matching run that agrees with it on the most of target,
host, quant and folder. A ratio is run / baseline; it carries NOISE_MARK when the two 95 %
intervals overlap (latency: order-statistic CIs of the percentile; energy: ± the meter's
relative uncertainty), i.e. the difference is within noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.energy.method import provenance_mark
from harness.records.schema import Status
from harness.report.gen_compare import GEN_RATIOS, gen_numeric
from harness.report.gen_intervals import headline
from harness.report.gen_record import is_generative
from harness.report.load import Run
from harness.report.rows import accuracy_cell, percentile_ms
from harness.report.select import lookup, matches

JOIN_KEYS = ("model", "quant", "scenario")
AFFINITY_KEYS = ("target", "host", "quant", "folder", "model", "scenario")
NOISE_MARK = "≈"


@dataclass(frozen=True)
class Interval:
    """A value with its interval (same unit); low/high None when there is no interval."""

    value: float
    low: float | None = None
    high: float | None = None

    def overlaps(self, other: Interval) -> bool:
        """Return True when both intervals exist and overlap."""
        if None in (self.low, self.high, other.low, other.high):
            return False
        return self.low <= other.high and other.low <= self.high  # type: ignore[operator]


def latency_ms(run: Run, name: str) -> Interval | None:
    """Return percentile `name` ("p50") in ms with its CI, or None when not supported."""
    value, low, high = percentile_ms(run.record, name)
    return None if value is None else Interval(value, low, high)


def energy_mj(run: Run) -> Interval | None:
    """Return gross energy per inference in mJ ± the meter's relative uncertainty, or None."""
    interval = run.record.energy.interval(1e3)
    return None if interval is None else Interval(*interval)


def metric(run: Run, name: str) -> Interval | None:
    """Return a named metric: p50/p90/p95/p99 (ms), energy (mJ/inf) or throughput (inf/s); for
    generative runs ttft_p50/tpot_p50 (ms), tokens_per_s or j_per_token (the others None)."""
    if is_generative(run.record):
        found = headline(run.record).get(name) if name in GEN_RATIOS else None
        return None if found is None else Interval(*found)
    if name in GEN_RATIOS:
        return None
    if name == "energy":
        return energy_mj(run)
    if name == "throughput":
        value = run.record.scenario.throughput_sps
        return None if value is None else Interval(value)
    return latency_ms(run, name)


def run_label(run: Run) -> str:
    """Return a short label: target@host."""
    return f"{lookup(run, 'target')}@{lookup(run, 'host')}"


def base_row(run: Run) -> dict[str, Any]:
    """Return the run's numeric row: identity, percentiles with CIs, throughput, energy, etc."""
    rec = run.record
    row: dict[str, Any] = {k: lookup(run, k) for k in ("model", "quant", "scenario", "target",
                                                      "host")}
    row.update(folder=str(run.folder), run_id=rec.run_id, status=rec.status.value)
    for name in ("p50", "p90", "p99"):
        est = latency_ms(run, name)
        row[f"{name}_ms"] = est.value if est else None
        row[f"{name}_lo_ms"] = est.low if est else None
        row[f"{name}_hi_ms"] = est.high if est else None
    energy = energy_mj(run)
    task, cosine = rec.accuracy.task_value, rec.accuracy.cosine
    accuracy_kind = ((rec.accuracy.task_metric or "task") if task is not None
                     else ("cos" if cosine is not None else ""))
    accuracy_value = task if task is not None else cosine
    row.update(
        samples=rec.scenario.summary.count if rec.scenario.summary else None,
        throughput_sps=rec.scenario.throughput_sps,
        energy_mj_per_inf=energy.value if energy else None,
        energy_mark=provenance_mark(rec.energy.provenance or "") if energy else "",
        energy_provenance=rec.energy.provenance or "",
        accuracy=accuracy_cell(rec),
        accuracy_kind=accuracy_kind,
        accuracy_value=accuracy_value,
        int8_fraction=rec.profile.int8_fraction,
        int8_note=rec.profile.int8_note or "",
        memory_mib=(rec.memory.peak_rss_bytes or 0) / 2**20 or None,
        size_kib=(rec.artifact.size_bytes or 0) / 1024 or None,
        quick=not rec.scenario.compliant if rec.status is Status.ok else None,
        reason=rec.reason,
    )
    row.update(gen_numeric(rec))
    if row["engine"] is not None:  # per-output-token energy is in j_per_token, not per inference
        row.update(energy_mj_per_inf=None, energy_mark="", samples=None)
    return row


def _key(run: Run, keys: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(lookup(run, k)) for k in keys)


def pick_baselines(members: Sequence[Run], candidates: Sequence[Run],
                   affinity: dict[int, tuple[str, ...]]) -> list[Run | None]:
    """Return, per member, the ok candidate agreeing with it on the most AFFINITY_KEYS
    (the first such on ties); vectorised because a group can hold thousands of runs."""
    ok = [c for c in candidates if c.record.status is Status.ok]
    if not ok or not members:
        return [None] * len(members)
    codes: dict[str, int] = {}
    encode = np.vectorize(lambda v: codes.setdefault(v, len(codes)), otypes=[np.int64])
    mine = encode(np.array([affinity[id(r)] for r in members], dtype=object))
    theirs = encode(np.array([affinity[id(c)] for c in ok], dtype=object))
    scores = (mine[:, None, :] == theirs[None, :, :]).sum(axis=2)
    return [ok[i] for i in scores.argmax(axis=1)]


def ratio(run: Run, base: Run, name: str) -> tuple[float | None, bool]:
    """Return (run/base ratio of metric `name`, within_noise); (None, False) if unavailable."""
    a, b = metric(run, name), metric(base, name)
    if a is None or b is None or not b.value:
        return None, False
    return a.value / b.value, a.overlaps(b)


def compare_rows(runs: Sequence[Run], baseline: Sequence[tuple[str, str]] | None,
                 ratio_metrics: Sequence[str] = ("p50", "throughput", "energy") + GEN_RATIOS
                 ) -> list[dict[str, Any]]:
    """Return one row per run, joined and sorted, with ratios against its baseline run."""
    fixed = {k for k, _ in baseline or []}
    join = [k for k in JOIN_KEYS if k not in fixed and f"{k}.name" not in fixed]
    groups: dict[tuple[str, ...], list[Run]] = {}
    for run in runs:
        groups.setdefault(_key(run, join), []).append(run)
    affinity = {id(r): _key(r, AFFINITY_KEYS) for r in runs}
    rows = []
    for key in sorted(groups):
        members = groups[key]
        bases = [r for r in members if baseline and matches(r, baseline)]
        base_ids = {id(r) for r in bases}
        members.sort(key=lambda r: (id(r) not in base_ids, affinity[id(r)]))
        chosen = pick_baselines(members, bases, affinity)
        for run, base in zip(members, chosen, strict=True):
            row = base_row(run)
            base = base if run.record.status is Status.ok else None
            row["baseline"] = run_label(base) + f" {lookup(base, 'quant')}" if base else ""
            for name in ratio_metrics:
                value, noise = ratio(run, base, name) if base else (None, False)
                row[f"{name}_x"] = value
                row[f"{name}_x_noise"] = noise
            rows.append(row)
    return rows
