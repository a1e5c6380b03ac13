"""Parse MLPerf LoadGen's logs: summary, detail (MLLOG JSON lines) and trace latencies."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness.core.errors import MeasurementError

SUMMARY = "mlperf_log_summary.txt"
DETAIL = "mlperf_log_detail.txt"
TRACE = "mlperf_log_trace.json"
DETAIL_PREFIXES = ("result_", "early_stopping", "effective_", "loadgen_version", "num_")
_SAMPLE_BEGIN = re.compile(r'"name":"Sample".*"ph":"b".*"ts":([\d.]+).*"query_seq":(\d+)'
                           r'.*"complete_ns":(\d+)')
_SAMPLE_END = re.compile(r'"name":"Sample".*"ph":"e".*"ts":([\d.]+)')


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_summary(log_dir: Path) -> dict[str, Any]:
    """Return every 'key : value' line of mlperf_log_summary.txt (numbers converted)."""
    path = log_dir / SUMMARY
    if not path.is_file():
        raise MeasurementError(f"LoadGen wrote no summary at {path}.",
                               "Check that log_dir is writable and see mlperf_log_detail.txt.")
    out: dict[str, Any] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lstrip("* ").strip()
        if sep and key and value.strip():
            out.setdefault(key, _number(value.strip()))
    return out


def parse_detail(log_dir: Path) -> dict[str, Any]:
    """Return result/early-stopping/effective-setting keys of mlperf_log_detail.txt."""
    out: dict[str, Any] = {}
    path = log_dir / DETAIL
    if not path.is_file():
        return out
    for line in path.read_text().splitlines():
        if not line.startswith(":::MLLOG "):
            continue
        entry = json.loads(line[len(":::MLLOG "):])
        if entry["key"].startswith(DETAIL_PREFIXES):
            out[entry["key"]] = entry["value"]
    return out


def parse_trace(log_dir: Path) -> tuple[dict[int, list[int]], int] | None:
    """Return per-query sample latencies (ns) and the span first issue -> last completion (ns)."""
    path = log_dir / TRACE
    if not path.is_file():
        return None
    per_query: dict[int, list[int]] = defaultdict(list)
    begin_us, end_us = float("inf"), 0.0
    with path.open() as lines:
        for line in lines:
            if '"Sample"' not in line:
                continue
            if (m := _SAMPLE_BEGIN.search(line)) is not None:
                per_query[int(m.group(2))].append(int(m.group(3)))
                begin_us = min(begin_us, float(m.group(1)))
            elif (m := _SAMPLE_END.search(line)) is not None:
                end_us = max(end_us, float(m.group(1)))
    if not per_query:
        return None
    return dict(per_query), int((end_us - begin_us) * 1000)
