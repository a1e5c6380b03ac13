"""Claims on generative records: tokens/s, TTFT/TPOT/ITL/e2e percentiles and J per output token,
optionally at one users level of a concurrency run (`match: {users: 4}`).

A claim's `users` picks the level of a concurrency sweep with that many users (a single-stream
run is 1 user); offline and server runs have no users level and never match one. Intervals are
those of harness/report/gen_intervals.py; a level's come from its own requests' timestamps.
"""

from __future__ import annotations

from typing import Any

from harness.core.errors import ConfigError
from harness.records.schema import RunRecord
from harness.report.gen_intervals import Triple, j_per_token, percentile_ms, throughput
from harness.report.gen_record import LATENCIES, is_generative, summary, user_levels

PERCENTILES = ("p50", "p90", "p95", "p99")
GEN_METRICS = (("tokens_per_s", "tokens_per_s_per_user")
               + tuple(f"{m}_{p}_ms" for m in LATENCIES for p in PERCENTILES)
               + ("j_per_output_token",))
USERS_KEY = "users"


def split_users(match: dict[str, Any], claim_id: str) -> tuple[int | None, dict[str, Any]]:
    """Return (the claim's users level or None, the rest of its match)."""
    rest = {k: v for k, v in match.items() if k != USERS_KEY}
    if USERS_KEY not in match:
        return None, rest
    try:
        users = int(match[USERS_KEY])
    except (TypeError, ValueError):
        users = 0
    if users < 1 or str(users) != str(match[USERS_KEY]).strip():
        raise ConfigError(f"Claim '{claim_id}' has users: {match[USERS_KEY]!r}, not a positive "
                          "whole number of users.", "Write e.g. match: {users: 4} (a level of "
                          "a gen_concurrency run).")
    return users, rest


def has_users(record: RunRecord, users: int | None) -> bool:
    """Return True when no users level is asked for, or the run measured that level."""
    return users is None or (is_generative(record) and users in user_levels(record))


def gen_interval(record: RunRecord, metric: str, users: int | None
                 ) -> tuple[Triple | None, str]:
    """Return the run's (value, low, high) for generative claim `metric` and a note."""
    if not is_generative(record):
        return None, f"{metric} needs a generative run; this is a tensor run"
    if metric == "j_per_output_token":
        if users is not None and len(user_levels(record)) > 1:
            return None, "the energy window spans every users level of the run"
        found = j_per_token(record)
        return found, "" if found else "no energy measured"
    stats = summary(record, users)
    if stats is None:
        return None, f"no traces for the {users}-user level"
    if metric in ("tokens_per_s", "tokens_per_s_per_user"):
        found = throughput(stats, metric)
    else:
        name, pct, _ = metric.rsplit("_", 2)
        found = percentile_ms(stats, name, pct)
        if found is None:
            count = (stats.get(name) or {}).get("count", 0)
            return None, f"{pct} has no interval from {count} {name.upper()} samples"
    if found is None or found[1] is None:
        return None, "no interval for this metric"
    return found, ""

