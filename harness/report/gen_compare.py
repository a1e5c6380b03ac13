"""Generative runs in `harness compare`: numeric cells for the CSV, display cells and headers.

Every comparison row carries the generative keys (None for tensor runs) so the CSV has one set
of columns; a table shows the generative columns when its group holds a generative run and the
tensor-only columns when it holds a tensor run. Ratios against the baseline: TTFT and TPOT p50
(noise-marked when the two 95 % intervals overlap), system tokens/s and J per output token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.records.schema import RunRecord
from harness.report.gen_intervals import Triple, ci_text, energy_label, headline
from harness.report.gen_record import engine_name, is_generative, token_lengths

#: ratio metrics of generative runs (names of gen_intervals.headline)
GEN_RATIOS = ("ttft_p50", "tpot_p50", "tokens_per_s", "j_per_token")
GEN_COMPARE_HEADERS = {
    "engine": "engine", "in_out": "tok in/out", "ttft_p50": "TTFT p50 ms [95% CI]",
    "tpot_p50": "TPOT p50 ms [95% CI]", "tokens_per_s": "tok/s", "j_per_token": "J/tok",
    "ttft_p50_x": "TTFT ×base", "tpot_p50_x": "TPOT ×base", "tokens_per_s_x": "tok/s ×base",
    "j_per_token_x": "J/tok ×base"}
TENSOR_COMPARE_KEYS = ("p50", "p90", "p99", "samples", "throughput_sps", "energy", "accuracy",
                       "int8", "size_kib", "p50_x", "throughput_x", "energy_x")
GEN_COMPARE_LEGEND = (
    " Generative runs: quant = weight format; tok in/out = tokens per request; TTFT = request "
    "sent to first token, TPOT = mean time per output token after the first (ms, p50 with its "
    "95% CI); tok/s = system output tokens/s; J/tok = joules per output token ('(est.)' = "
    "estimated); ×base < 1 is faster for TTFT, TPOT and J/tok, > 1 for tok/s.")


def gen_numeric(record: RunRecord) -> dict[str, Any]:
    """Return the numeric generative cells of a comparison row (None for a tensor run)."""
    keys = ["engine", "input_tokens", "output_tokens", "j_per_token_mark"]
    keys += [f"{name}{part}" for name in GEN_RATIOS for part in ("", "_lo", "_hi")]
    row: dict[str, Any] = dict.fromkeys(keys)
    if not is_generative(record):
        return row
    row["engine"] = engine_name(record)
    row["input_tokens"], row["output_tokens"] = token_lengths(record)
    for name, found in headline(record).items():
        if found is not None:
            row[name], row[f"{name}_lo"], row[f"{name}_hi"] = found
    row["j_per_token_mark"] = energy_label(record) if row["j_per_token"] is not None else ""
    return row


def _triple(row: dict[str, Any], name: str) -> Triple | None:
    value = row.get(name)
    return None if value is None else (value, row.get(f"{name}_lo"), row.get(f"{name}_hi"))


def gen_display(row: dict[str, Any]) -> dict[str, Any]:
    """Return the display strings of a numeric row's generative cells."""
    tokens_in, tokens_out = row.get("input_tokens"), row.get("output_tokens")
    energy = row.get("j_per_token")
    tokens = row.get("tokens_per_s")
    return {"in_out": f"{tokens_in}/{tokens_out}" if tokens_in is not None else "",
            "ttft_p50": ci_text(_triple(row, "ttft_p50"), 4, 4),
            "tpot_p50": ci_text(_triple(row, "tpot_p50"), 4, 4),
            "tokens_per_s": "" if tokens is None else f"{tokens:.4g}",
            "j_per_token": ("" if energy is None
                            else f"{energy:.4g} {row.get('j_per_token_mark') or ''}".strip()),
            "engine": row.get("engine") or ""}


def compare_headers(rows: Sequence[dict[str, Any]], headers: dict[str, str]
                    ) -> tuple[dict[str, str], str]:
    """Return the headers for a group's rows and the legend addition: generative columns when
    any row is generative, tensor-only columns only when any row is a tensor run."""
    gen = [bool(r.get("engine")) for r in rows]
    if not any(gen):
        return headers, ""
    kept = dict(headers)
    if all(gen):
        kept = {k: v for k, v in kept.items() if k not in TENSOR_COMPARE_KEYS}
        kept["quant"] = "weights"
    keys = list(kept)
    cut = keys.index("memory_mib") if "memory_mib" in keys else len(keys)
    figures = {k: v for k, v in GEN_COMPARE_HEADERS.items() if not k.endswith("_x")}
    ratios = {k: v for k, v in GEN_COMPARE_HEADERS.items() if k.endswith("_x")}
    ordered = {k: kept[k] for k in keys[:cut]} | figures | {k: kept[k] for k in keys[cut:]}
    if "baseline" in ordered:
        baseline = ordered.pop("baseline")
        return ordered | ratios | {"baseline": baseline}, GEN_COMPARE_LEGEND
    return ordered | ratios, GEN_COMPARE_LEGEND
