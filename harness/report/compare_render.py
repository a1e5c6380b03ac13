"""Format comparison rows for display (strings); the numeric rows stay in the CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.report.compare import NOISE_MARK
from harness.report.gen_compare import GEN_RATIOS, gen_display

COMPARE_HEADERS = {
    "model": "model", "quant": "quant", "scenario": "scenario", "target": "target",
    "host": "host", "status": "status", "p50": "p50 ms [95% CI]", "p90": "p90 ms [95% CI]",
    "p99": "p99 ms [95% CI]", "samples": "n", "throughput_sps": "inf/s",
    "energy": "mJ/inf", "accuracy": "accuracy", "int8": "int8 time", "memory_mib": "peak RSS MiB",
    "size_kib": "model KiB", "p50_x": "p50 ×base", "throughput_x": "inf/s ×base",
    "energy_x": "mJ ×base", "baseline": "baseline",
}
COMPARE_LEGEND = (
    "Latency per query in ms with distribution-free 95% CIs (blank: too few samples). "
    "×base = this run / its baseline run (p50 < 1 is faster; inf/s > 1 is faster); "
    f"'{NOISE_MARK}' = within noise: the two 95% intervals overlap. '(est.)' = energy estimated "
    "from a power model, not measured. Peak RSS is the harness process. int8 time = share of "
    "the operator profile's time in int8 kernels (profiled runs; notes below say why int8 "
    "cannot win). Quick-profile numbers are not MLPerf-compliant.")


def _g(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def ci_text(row: dict[str, Any], name: str) -> str:
    """Return 'value [low-high]' for percentile `name` of a numeric row ('' when absent)."""
    value = row.get(f"{name}_ms")
    if value is None:
        return ""
    low, high = row.get(f"{name}_lo_ms"), row.get(f"{name}_hi_ms")
    return f"{value:.4g} [{low:.4g}–{high:.4g}]" if low is not None else f"{value:.4g}"


def ratio_text(row: dict[str, Any], name: str) -> str:
    """Return 'r×' for a ratio column with the noise mark when within noise."""
    value = row.get(f"{name}_x")
    if value is None:
        return ""
    return f"{value:.3g}×" + (f" {NOISE_MARK}" if row.get(f"{name}_x_noise") else "")


def display_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return one row of display strings for COMPARE_HEADERS (plus status and reason)."""
    out = dict(row)
    for name in ("p50", "p90", "p99"):
        out[name] = ci_text(row, name)
    energy = row.get("energy_mj_per_inf")
    out["energy"] = f"{energy:.4g} {row.get('energy_mark', '')}".strip() if energy else ""
    for name in ("p50", "throughput", "energy") + GEN_RATIOS:
        out[f"{name}_x"] = ratio_text(row, name)
    fraction = row.get("int8_fraction")
    out["int8"] = "" if fraction is None else f"{fraction:.0%}"
    out["throughput_sps"] = _g(row.get("throughput_sps"))
    out["memory_mib"] = _g(row.get("memory_mib"))
    out["size_kib"] = _g(row.get("size_kib"))
    if row.get("engine"):
        out.update(gen_display(row))
    return out


def display_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return display rows for every numeric comparison row."""
    return [display_row(r) for r in rows]


def drop_constant(rows: Sequence[dict[str, Any]], headers: dict[str, str],
                  keys: Sequence[str] = ("scenario", "host", "status", "baseline", "int8")
                  ) -> tuple[dict[str, str], str]:
    """Return headers without `keys` whose value is the same in every row, and 'k=v' text."""
    constant = {k: rows[0].get(k) for k in keys
                if rows and len({str(r.get(k)) for r in rows}) == 1}
    kept = {k: v for k, v in headers.items() if k not in constant}
    return kept, ", ".join(f"{headers.get(k, k)}: {v}" for k, v in constant.items() if v)
