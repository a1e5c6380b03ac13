"""A generative record's headline figures with their intervals, as (value, low, high) tuples.

Latency percentiles (TTFT, TPOT, ITL, e2e; ms) carry the record's distribution-free CI (None
when the request count cannot support the percentile). Tokens/s, for the system and per user,
take the relative half-width of the mean end-to-end latency's t-interval, as tensor
throughput does with the mean query latency (every request has the same output length).
Joules per output token is ± the meter's relative uncertainty, labelled with its provenance.
"""

from __future__ import annotations

from typing import Any

from harness.energy.method import provenance_mark
from harness.records.schema import RunRecord
from harness.report.gen_record import summary

Triple = tuple[float, float | None, float | None]
THROUGHPUTS = {"tokens_per_s": "system_output_tokens_per_s",
               "tokens_per_s_per_user": "request_output_tokens_per_s_mean"}


def percentile_ms(stats: dict[str, Any] | None, metric: str, name: str) -> Triple | None:
    """Return percentile `name` ("p90") of latency `metric` ("ttft") in ms with its CI, or None
    when the summary lacks it (too few requests for that percentile's interval)."""
    est = ((stats or {}).get(metric) or {}).get(name)
    if not est:
        return None
    return est["value_ns"] / 1e6, est["ci_low_ns"] / 1e6, est["ci_high_ns"] / 1e6


def throughput(stats: dict[str, Any] | None, metric: str) -> Triple | None:
    """Return system or per-user output tokens/s with the e2e mean's relative interval."""
    value = (stats or {}).get(THROUGHPUTS[metric])
    if value is None:
        return None
    e2e = (stats or {}).get("e2e") or {}
    ci, mean = e2e.get("mean_ci_ns"), e2e.get("mean_ns")
    if not ci or not mean:
        return value, None, None
    rel = (ci[1] - ci[0]) / (2 * mean)
    return value, value * (1 - rel), value * (1 + rel)


def j_per_token(record: RunRecord) -> Triple | None:
    """Return joules per output token ± the meter's relative uncertainty, or None."""
    return record.energy.interval(1.0)


def energy_label(record: RunRecord) -> str:
    """Return the J/token provenance mark: '(est.)' when estimated, '' when measured."""
    return provenance_mark(record.energy.provenance or "")


def headline(record: RunRecord, users: int | None = None) -> dict[str, Triple | None]:
    """Return TTFT p50, TPOT p50 (ms), system tokens/s and J/token of the run (or a level)."""
    stats = summary(record, users)
    return {"ttft_p50": percentile_ms(stats, "ttft", "p50"),
            "tpot_p50": percentile_ms(stats, "tpot", "p50"),
            "tokens_per_s": throughput(stats, "tokens_per_s"),
            "j_per_token": j_per_token(record) if users is None else None}


def ci_text(triple: Triple | None, digits: int = 3, bound_digits: int = 3) -> str:
    """Return 'value [low–high]' (or the value alone without an interval; '' for None)."""
    if triple is None:
        return ""
    value, low, high = triple
    if low is None or high is None:
        return number(value, digits)
    return f"{number(value, digits)} [{number(low, bound_digits)}–{number(high, bound_digits)}]"


def number(value: float, digits: int) -> str:
    """Return `value` to `digits` significant digits, whole numbers without an exponent."""
    return f"{value:.0f}" if abs(value) >= 10**digits else f"{value:.{digits}g}"
