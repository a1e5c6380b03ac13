"""Generative runs in the results tables: their own columns instead of empty tensor ones.

A generative row keeps the identity columns (its `quant` is the weight format, its `scenario`
gen_<name>) and fills engine, tokens per request, TTFT and TPOT p50 with their intervals, system
output tokens/s and joules per output token with its provenance mark; the tensor columns stay
blank for it, as the generative columns do for tensor rows, so mixed sweeps still render.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.records.schema import RunRecord, Status
from harness.report.gen_intervals import ci_text, energy_label, headline
from harness.report.gen_record import is_generative, token_lengths
from harness.report.select import GEN_LOOKUPS

GEN_HEADERS = {"engine": "engine", "in_out": "in/out", "ttft_p50": "TTFT p50 ms [CI]",
               "tpot_p50": "TPOT p50 ms [CI]", "tokens_per_s": "tok/s",
               "j_per_token": "J/tok"}
GEN_LEGEND = (" Generative runs: quant = weight format; in/out = tokens per request (input/"
              "output, output enforced); TTFT = request sent to first token, TPOT = mean time "
              "per output token after the first, p50 with its 95% CI; tok/s = output tokens/s of "
              "the system; J/tok = joules per output token.")
#: the identity columns a generative row fills as --where/--group-by read them (select.py)
IDENTITY = ("engine", "quant", "scenario")
TENSOR_ONLY = ("p50_ms", "p90_ms", "p90_ci_ms", "p99_ms", "samples", "throughput_sps",
               "energy_mj_per_inf")


def gen_cells(record: RunRecord) -> dict[str, Any]:
    """Return the generative columns of one generative record (display strings)."""
    cells: dict[str, Any] = {**dict.fromkeys(GEN_HEADERS), **dict.fromkeys(TENSOR_ONLY),
                             **{key: GEN_LOOKUPS[key](record) for key in IDENTITY}}
    tokens_in, tokens_out = token_lengths(record)
    cells["in_out"] = f"{tokens_in}/{tokens_out}" if tokens_in is not None else ""
    if record.status is not Status.ok:
        return cells
    figures = headline(record)
    tokens = figures["tokens_per_s"]
    energy = figures["j_per_token"]
    cells.update(ttft_p50=ci_text(figures["ttft_p50"], 3, 2),
                 tpot_p50=ci_text(figures["tpot_p50"], 3, 2),
                 tokens_per_s=f"{tokens[0]:.4g}" if tokens else "",
                 j_per_token=(f"{energy[0]:.3g} {energy_label(record)}".strip()
                              if energy else ""))
    return cells


def add_gen_columns(records: Sequence[RunRecord], rows: list[dict[str, Any]],
                    headers: dict[str, str], legend: str) -> tuple[dict[str, str], str]:
    """Fill the generative cells of `rows` (in place) and return (headers, legend) with the
    generative columns added, or unchanged when no record is generative."""
    flags = [is_generative(r) for r in records]
    if not any(flags):
        return headers, legend
    for row, record, gen in zip(rows, records, flags, strict=True):
        row.update(gen_cells(record) if gen else dict.fromkeys(GEN_HEADERS))
    headers = {**headers, **GEN_HEADERS}
    if all(flags):  # generative only: the quant column is the weight format
        headers["quant"] = "weights"
    return headers, legend + GEN_LEGEND


def gen_headline(record: RunRecord) -> str:
    """Return a short headline of a generative run: TTFT and TPOT p50, tokens/s."""
    figures = headline(record)
    parts = [f"{label} {figures[key][0]:.4g} ms" for key, label in
             (("ttft_p50", "TTFT p50"), ("tpot_p50", "TPOT p50")) if figures[key]]
    if figures["tokens_per_s"]:
        parts.append(f"{figures['tokens_per_s'][0]:.4g} tok/s")
    return "  ".join(parts)
