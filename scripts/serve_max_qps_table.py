#!/usr/bin/env python3
"""Print the max-QPS / serving-cost figures of scripts/serve_max_qps.sh from its records."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def ms(summary: dict, name: str) -> tuple[float, float, float] | None:
    """Return (value, CI low, CI high) of percentile `name` in ms, or None."""
    v = summary.get(name) or {}
    if not isinstance(v, dict) or v.get("value_ns") is None:
        return None
    lo, hi = v.get("ci_low_ns"), v.get("ci_high_ns")
    return (round(v["value_ns"] / 1e6, 3), round(lo / 1e6, 3) if lo else None,
            round(hi / 1e6, 3) if hi else None)


def main(folder: Path) -> None:
    """Print one line per record under folder: model, path, protocol, scenario and figures."""
    for path in sorted(folder.rglob("*.json")):
        text = path.read_text()
        if '"run_id"' not in text[:300]:
            continue
        r = json.loads(text)
        sc, b = r.get("scenario") or {}, r.get("backend") or {}
        ex, split, summ = sc.get("extra") or {}, b.get("server_split") or {}, \
            sc.get("summary") or {}
        key = (r["config"]["model"]["name"], path.relative_to(folder).parts[0],
               b.get("protocol", "in-process"), sc.get("name"))
        print(key, {"status": r["status"], "p50_ms": ms(summ, "p50"), "p99_ms": ms(summ, "p99"),
                    "max_qps": ex.get("search_max_qps"), "bound_ms": ex.get("latency_bound_ms"),
                    "mean_batch": split.get("server_mean_batch"),
                    "reason": (r.get("reason") or "")[:120]})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
