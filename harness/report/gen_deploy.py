"""Generative runs in `harness deploy`: the device run and the remote (datacenter) run of the same
model side by side, both measured, no analytical model.

A remote run's TTFT already holds the network and the server's queue (it is timed at the
client), so the figures are compared as measured: TTFT and TPOT p50 with their 95 % intervals,
system output tokens/s and J per output token (with its provenance). Pairs: each ok device run
with every ok datacenter run of the same model, scenario and tokens per request (in/out),
preferring the same weight format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from harness.records.schema import Status
from harness.report.gen_intervals import Triple, ci_text, energy_label, headline
from harness.report.gen_record import is_generative, token_lengths
from harness.report.load import Run
from harness.report.render import markdown, rich_table
from harness.report.select import lookup

GEN_DEPLOY_HEADERS = {"side": "side", "target": "target", "engine": "engine",
                      "quant": "weights", "ttft_p50": "TTFT p50 ms [95% CI]",
                      "tpot_p50": "TPOT p50 ms [95% CI]", "tokens_per_s": "tok/s",
                      "j_per_token": "J/tok", "evidence": "run"}
GEN_DEPLOY_LEGEND = ("Both sides measured at the client with the same definitions: TTFT = "
                     "request sent to first token (a remote run's network and queue included), "
                     "TPOT = mean time per output token after the first (p50, 95% CI); tok/s = "
                     "system output tokens/s; J/tok = joules per output token of the measured "
                     "machine only ('(est.)' = estimated; a remote run's server energy is not "
                     "seen from the client).")
LABELS = {"ttft_p50": "TTFT p50", "tpot_p50": "TPOT p50", "tokens_per_s": "tokens/s"}


def split_generative(runs: Sequence[Run]) -> tuple[list[Run], list[Run]]:
    """Return (tensor runs, generative runs)."""
    gen = [r for r in runs if is_generative(r.record)]
    return [r for r in runs if not is_generative(r.record)], gen


def _key(run: Run) -> tuple[Any, ...]:
    return (lookup(run, "model"), lookup(run, "scenario"), token_lengths(run.record))


def gen_pairs(device: Sequence[Run], datacenter: Sequence[Run]) -> list[tuple[Run, list[Run]]]:
    """Return each ok device run with the ok datacenter runs of the same model, scenario and
    tokens per request (the same weight format when there is one), possibly none."""
    dc_ok = [r for r in datacenter if r.record.status is Status.ok]
    pairs = []
    for dev in (r for r in device if r.record.status is Status.ok):
        same = [r for r in dc_ok if _key(r) == _key(dev)]
        same_format = [r for r in same if lookup(r, "quant") == lookup(dev, "quant")]
        if same:
            pairs.append((dev, same_format or same))
    return pairs


def side_row(run: Run, side: str) -> dict[str, Any]:
    """Return one display row of a side (device or datacenter)."""
    figures = headline(run.record)
    energy = figures["j_per_token"]
    tokens = figures["tokens_per_s"]
    return {"side": side, "model": lookup(run, "model"), "status": "ok", "reason": "",
            "target": lookup(run, "target"), "engine": lookup(run, "engine"),
            "quant": lookup(run, "quant"), "scenario": lookup(run, "scenario"),
            "ttft_p50": ci_text(figures["ttft_p50"], 4, 4),
            "tpot_p50": ci_text(figures["tpot_p50"], 4, 4),
            "tokens_per_s": f"{tokens[0]:.4g}" if tokens else "",
            "j_per_token": (f"{energy[0]:.4g} {energy_label(run.record)}".strip()
                            if energy else ""),
            "evidence": f"{run.record.run_id}@{lookup(run, 'host')}"}


def _overlap(a: Triple, b: Triple) -> bool:
    if None in (a[1], a[2], b[1], b[2]):
        return False
    return a[1] <= b[2] and b[1] <= a[2]  # type: ignore[operator]


def verdict_lines(dev: Run, dc: Run) -> list[str]:
    """Return one line per metric: which side is faster, by how much, or within noise."""
    mine, theirs = headline(dev.record), headline(dc.record)
    lines = []
    for key, label in LABELS.items():
        a, b = mine[key], theirs[key]
        if a is None or b is None or not a[0] or not b[0]:
            continue
        units = "" if key == "tokens_per_s" else " ms"
        both = f"device {a[0]:.4g}{units} vs datacenter {b[0]:.4g}{units}"
        if _overlap(a, b):
            lines.append(f"{label}: within noise, the 95% intervals overlap ({both})")
            continue
        dev_wins = (a[0] > b[0]) == (key == "tokens_per_s")
        ratio = max(a[0], b[0]) / min(a[0], b[0])
        winner = "on-device" if dev_wins else f"datacenter ({lookup(dc, 'target')})"
        lines.append(f"{label}: {winner} better by {ratio:.3g}× ({both})")
    return lines


def generative_blocks(pairs: Sequence[tuple[Run, list[Run]]], console: Console) -> list[str]:
    """Print each generative device run beside its datacenter runs; return markdown lines."""
    md = []
    for dev, dcs in pairs:
        block = [side_row(dev, "device")] + [side_row(dc, "datacenter") for dc in dcs]
        title = (f"{lookup(dev, 'model')} (generative, {lookup(dev, 'scenario')}, "
                 f"{'/'.join(map(str, token_lengths(dev.record)))} tokens in/out)")
        lines = [line for dc in dcs for line in verdict_lines(dev, dc)]
        console.print(rich_table(block, title, GEN_DEPLOY_HEADERS, GEN_DEPLOY_LEGEND))
        console.print("\n".join(f"  {line}" for line in lines) + "\n")
        md += [f"## {title}\n", markdown(block, GEN_DEPLOY_HEADERS, GEN_DEPLOY_LEGEND)]
        md += [f"- {line}" for line in lines]
    return md

