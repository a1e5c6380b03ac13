"""One metric across harness commits and runtime versions, with the noise marked.

A series is one model × quant × target × scenario × host. Its points are the versions it ran
under (harness commit, backend, backend version), in the order each first appeared. A point's
value is the median over its runs of the percentile; its interval is the median of those runs'
own 95% intervals (a typical run's noise). A step between consecutive points is marked as a
change only when the two intervals do not overlap; otherwise it is within noise ('≈').

The same query runs on the results store (SQL) and on JSON records (`points_from_runs`), so the
two paths can be checked against each other and timed side by side.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import ConfigError, unknown_name
from harness.records import store
from harness.records.schema import Status
from harness.report.load import Run
from harness.report.select import lookup

METRICS = ("p50", "p90", "p99")
SERIES = ("model", "quant", "target", "scenario", "host")
VERSION = ("harness_commit", "backend", "backend_version")
#: --where keys: store column -> dotted key for `select.lookup` on a JSON record
KEYS = {"model": "model", "quant": "quant", "target": "target", "scenario": "scenario",
        "host": "host", "backend": "backend.name", "backend_version": "backend.version",
        "harness_commit": "environment.harness_commit", "sweep": "sweep"}


@dataclass(frozen=True)
class Point:
    """One version's value of the metric in one series (ms), over `runs` runs."""

    series: tuple[str, ...]
    version: tuple[str, ...]
    runs: int
    first_at: str
    value_ms: float
    low_ms: float
    high_ms: float


def check_query(metric: str, where: Sequence[tuple[str, str]]) -> None:
    """Raise ConfigError (valid names, did-you-mean) for an unknown metric or --where key."""
    if metric not in METRICS:
        raise unknown_name("history metric", metric, METRICS)
    for key, _ in where:
        if key not in KEYS:
            raise unknown_name("history --where key", key, KEYS)


def points_from_store(stores: Sequence[Path], metric: str,
                      where: Sequence[tuple[str, str]]) -> list[Point]:
    """Return the history points of `metric` from the results stores, filtered by `where`."""
    check_query(metric, where)
    con, rel = store.open_union(store.store_files(stores))
    keys = ", ".join(f"coalesce({k}, '')" for k in (*SERIES, *VERSION))
    filters = "".join(f" AND {k} = ?" for k, _ in where)
    sql = (f"SELECT {keys}, count(*), min(created_at), median({metric}_ns), "
           f"median({metric}_low_ns), median({metric}_high_ns) FROM {rel} "
           f"WHERE status = 'ok' AND {metric}_ns IS NOT NULL{filters} GROUP BY ALL")
    try:
        rows = con.execute(sql, [v for _, v in where]).fetchall()
    finally:
        con.close()
    width = len(SERIES) + len(VERSION)
    points = [Point(tuple(r[:len(SERIES)]), tuple(r[len(SERIES):width]), int(r[width]),
                    str(r[width + 1]), r[width + 2] / 1e6, r[width + 3] / 1e6, r[width + 4] / 1e6)
              for r in rows]
    return sorted(points, key=lambda p: (p.series, p.first_at, p.version))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def points_from_runs(runs: Sequence[Run], metric: str,
                     where: Sequence[tuple[str, str]]) -> list[Point]:
    """Return the same points as `points_from_store`, computed from JSON-loaded runs."""
    check_query(metric, where)
    groups: dict[tuple, list[tuple[str, int, int, int]]] = {}
    for run in runs:
        summary = run.record.scenario.summary
        est = getattr(summary, metric, None) if summary else None
        if run.record.status is not Status.ok or est is None:
            continue
        if any(_text(lookup(run, KEYS[k])) != v for k, v in where):
            continue
        key = tuple(_text(lookup(run, KEYS[k])) for k in (*SERIES, *VERSION))
        groups.setdefault(key, []).append((run.record.created_at, est.value_ns, est.ci_low_ns,
                                           est.ci_high_ns))
    points = []
    for key, members in groups.items():
        med = [statistics.median(m[i] for m in members) / 1e6 for i in (1, 2, 3)]
        points.append(Point(key[:len(SERIES)], key[len(SERIES):], len(members),
                            min(m[0] for m in members), *med))
    return sorted(points, key=lambda p: (p.series, p.first_at, p.version))


def step_mark(previous: Point | None, point: Point) -> str:
    """Return how `point` moved from the previous version: '', '≈ within noise', or
    'slower ×r' / 'faster ×r' when the intervals do not overlap."""
    if previous is None or previous.series != point.series:
        return ""
    if point.low_ms <= previous.high_ms and previous.low_ms <= point.high_ms:
        return "≈ within noise"
    ratio = point.value_ms / previous.value_ms if previous.value_ms else float("inf")
    return f"{'slower' if ratio > 1 else 'faster'} ×{ratio:.3g}"


def parse_where(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """Return KEY=VALUE strings as pairs; ConfigError for one without '='."""
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--where {pair!r} is not KEY=VALUE.",
                              f"Write e.g. --where model=resnet8; keys: {', '.join(KEYS)}.")
        out.append((key, value))
    return out
