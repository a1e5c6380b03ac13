"""Turn run records into flat table rows (pure functions; rendering lives elsewhere)."""

from __future__ import annotations

from typing import Any

from harness.energy.method import provenance_mark
from harness.records.schema import RunRecord, Status


def _ms(ns: float | None) -> float | None:
    return None if ns is None else ns / 1e6


def percentile_ms(record: RunRecord, name: str) -> tuple[float | None, float | None, float | None]:
    """Return (value, ci_low, ci_high) of percentile `name` ("p50") in ms; None if unsupported."""
    est = record.scenario.percentile(name)
    if est is None:
        return None, None, None
    return _ms(est.value_ns), _ms(est.ci_low_ns), _ms(est.ci_high_ns)


def energy_cell(record: RunRecord) -> str:
    """Return energy per inference in mJ with its provenance mark ("(est.)" = estimated)."""
    value = record.energy.gross_j_per_inference
    if value is None:
        return ""
    return f"{value * 1e3:.4g} {provenance_mark(record.energy.provenance or '')}".strip()


def accuracy_cell(record: RunRecord) -> str:
    """Return the task metric (with a data set) else cosine vs FP32, then the gate: ✓/✗ ratio."""
    task, cosine = record.accuracy.task_value, record.accuracy.cosine
    text = f"{record.accuracy.task_metric or 'task'} {task:.2%}" if task is not None else (
        f"cos {cosine:.4f}" if cosine is not None else "")
    gate = record.accuracy.gate
    if gate and gate.get("nonfinite_elements"):
        return f"{gate['nonfinite_elements']} NaN/inf outputs ✗"
    if not gate or not text:
        return text
    return f"{text} {'✓' if gate['passed'] else '✗'}{gate['ratio']:.3f}≥{gate['target']:g}"


def int8_cell(record: RunRecord) -> str:
    """Return the share of the operator profile's time in int8 kernels ("87%"), or ''."""
    fraction = record.profile.int8_fraction
    return "" if fraction is None else f"{fraction:.0%}"


def cold_ms(record: RunRecord, setting: str) -> float | None:
    """Return the median cold start, spawn to first result, under cache `setting` (ms)."""
    return _ms(record.cold_start.median_ns(setting))


def record_row(record: RunRecord) -> dict[str, Any]:
    """Return one flat row: identity, status, latency percentiles with CI, throughput, etc."""
    cfg = record.config
    p50, _, _ = percentile_ms(record, "p50")
    p90, p90_lo, p90_hi = percentile_ms(record, "p90")
    p99, _, _ = percentile_ms(record, "p99")
    return {
        "model": cfg["model"]["name"],
        "quant": cfg["quant"]["name"],
        "target": cfg["target"]["name"],
        "scenario": cfg["scenario"]["name"],
        "status": record.status.value,
        "p50_ms": p50,
        "p90_ms": p90,
        "p90_ci_ms": f"{p90_lo:.4g}-{p90_hi:.4g}" if p90_lo is not None else "",
        "p99_ms": p99,
        "samples": record.scenario.summary.count if record.scenario.summary else None,
        "throughput_sps": record.scenario.throughput_sps,
        "energy_mj_per_inf": energy_cell(record),
        "accuracy": accuracy_cell(record),
        "int8_time": int8_cell(record),
        "int8_fraction": record.profile.int8_fraction,
        "int8_note": record.profile.int8_note or "",
        "size_kib": (record.artifact.size_bytes or 0) / 1024 or None,
        "cold_ms": cold_ms(record, "off"),
        "cold_cached_ms": cold_ms(record, "on"),
        "quick": not record.scenario.compliant if record.status is Status.ok else None,
        "reason": record.reason,
    }


def headline_text(record: RunRecord) -> str:
    """Return a short headline: p50 and p90 in ms, throughput, accuracy (generative runs: TTFT,
    TPOT and tokens/s)."""
    from harness.report.gen_rows import gen_headline, is_generative

    if is_generative(record):
        return gen_headline(record)
    row = record_row(record)
    parts = []
    if row["p50_ms"] is not None:
        parts.append(f"p50 {row['p50_ms']:.4g} ms")
    if row["p90_ms"] is not None:
        parts.append(f"p90 {row['p90_ms']:.4g} ms")
    if row["throughput_sps"]:
        parts.append(f"{row['throughput_sps']:.0f}/s")
    if row["accuracy"]:
        parts.append(row["accuracy"])
    return "  ".join(parts)
