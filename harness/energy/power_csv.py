"""Read an external power meter's CSV export: timestamps in s and power in W, rows checked.

Headers: `timestamp_s,power_w`, or Joulescope (`#time,current,voltage,power`) / Otii
(`Time [s],Main Power [W]`) style exports, recognised by alias or named via time_column /
power_column; `power_scale` converts e.g. mW to W.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from harness.core.errors import ConfigError

TIME_ALIASES = ("timestamp_s", "time_s", "time", "timestamp", "time [s]", "timestamp (s)")
POWER_ALIASES = ("power_w", "power", "main power [w]", "power [w]", "power (w)")


def _norm(header: str) -> str:
    return header.strip().lstrip("#").strip().lower()


def _pick(headers: list[str], wanted: str | None, aliases: tuple[str, ...], what: str) -> str:
    names = {_norm(h): h for h in headers}
    for alias in (wanted.lower(),) if wanted else aliases:
        if _norm(alias) in names:
            return names[_norm(alias)]
    raise ConfigError(
        f"External CSV has no {what} column (headers: {', '.join(headers)}).",
        f"Set meter.options.csv_{what}_column to one of the headers.",
    )


def _number(path: Path, line: int, column: str, text: str | None) -> float:
    """Return the finite number in one CSV cell; ConfigError naming the row otherwise."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError(
            f"External CSV {path}, line {line}: column '{column}' holds "
            f"{'nothing' if text is None else repr(text)}, not a finite "
            "number.", "Fix or delete that row (every row needs a time in s and a power), or "
            "point meter.options.csv_time_column / meter.options.csv_power_column at the "
            "numeric columns.")
    return value


def read_power_csv(
    path: Path,
    time_column: str | None = None,
    power_column: str | None = None,
    power_scale: float = 1.0,
) -> tuple[list[float], list[float]]:
    """Return (timestamps in s, power in W) from a CSV export; ConfigError naming a bad row."""
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle)
        headers = list(rows.fieldnames or [])
        if not headers:
            raise ConfigError(f"External CSV {path} is empty (no header row).",
                              "Export the meter's trace with a header, e.g. "
                              "'timestamp_s,power_w', and set meter.options.csv_path to it.")
        t_col = _pick(headers, time_column, TIME_ALIASES, "time")
        p_col = _pick(headers, power_column, POWER_ALIASES, "power")
        pairs = [(_number(path, rows.line_num, t_col, r[t_col]),
                  _number(path, rows.line_num, p_col, r[p_col]) * power_scale)
                 for r in rows if r[t_col]]
    pairs.sort()
    return [t for t, _ in pairs], [p for _, p in pairs]
