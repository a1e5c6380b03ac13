"""Per-phase cold-start tables (markdown) from scenario=cold_start records.

Per model: each target × cache setting's median and 95% interval (ms) for the interpreter, the
runtime's import, the harness adapter, load/compile, the first inference, the total (spawn to
first result) and the total without the adapter's share; then what the cache saves, as the
median of the paired per-trial differences (off minus on: the two settings alternate process
by process, so each pair saw nearly the same load) with its distribution-free interval, in ms
and % of the off total. Failed or skipped records are listed with their reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.core import stats
from harness.records.schema import RunRecord, Status

PHASES = (("interpreter_ns", "interpreter"), ("import_ns", "import"),
          ("adapter_ns", "adapter"), ("load_ns", "load/compile"),
          ("first_inference_ns", "first inference"), ("first_result_ns", "total"))


def ms(value_ns: float) -> str:
    """Return value_ns in ms with 4 significant digits, never in exponent form."""
    value = value_ns / 1e6
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def ms_cell(summary: dict) -> str:
    """Return 'median [low, high]' in ms (no interval when the trials cannot support one)."""
    ci = summary.get("median_ci_ns")
    return ms(summary["median_ns"]) + (f" [{ms(ci[0])}, {ms(ci[1])}]" if ci else "")


def without_adapter(phases: dict, confidence: float) -> dict:
    """Return the summary (median, interval; ns) of each trial's total minus its adapter share:
    what a deployment that imports the runtime directly would pay."""
    samples = [t - a for t, a in zip(phases["first_result_ns"]["samples_ns"],
                                     phases["adapter_ns"]["samples_ns"], strict=True)]
    est = stats.percentile_estimate(samples, 0.5, confidence)
    return {"median_ns": stats.percentile(samples, 0.5),
            "median_ci_ns": None if est is None else [est.ci_low_ns, est.ci_high_ns]}


def saving_cells(off: list[int], on: list[int], confidence: float) -> tuple[str, str]:
    """Return (ms, %) cells for the median paired saving off - on, with its interval."""
    diffs = [a - b for a, b in zip(off, on, strict=True)]
    est = stats.percentile_estimate(diffs, 0.5, confidence)
    base = stats.percentile(off, 0.5)
    mid = stats.percentile(diffs, 0.5)
    if est is None:
        return ms(mid), f"{100 * mid / base:.3g}"
    low, high = est.ci_low_ns, est.ci_high_ns
    return (f"{ms(mid)} [{ms(low)}, {ms(high)}]",
            f"{100 * mid / base:.3g} [{100 * low / base:.3g}, {100 * high / base:.3g}]")


def target_of(record: RunRecord) -> str:
    """Return the target's name with the runtime's name and version, and its compiled-model
    cache (what tells torch eager from torch.compile apart)."""
    name = record.config.get("target", {}).get("name", "?")
    version = str(record.backend.version).split("-")[0]  # OpenVINO appends its build
    kind = (record.cold_start.cache or {}).get("kind")
    cache = kind.split(" (")[0] if kind else "no cache"
    return f"{name} ({record.backend.name} {version}; {cache})"


def tables(records: Iterable[RunRecord]) -> str:
    """Return the markdown tables for every model in `records`."""
    records = [r for r in records if (r.config.get("scenario") or {}).get("name") == "cold_start"]
    out: list[str] = []
    models = sorted({r.config.get("model", {}).get("name", "?") for r in records})
    for model in models:
        mine = sorted((r for r in records if r.config.get("model", {}).get("name") == model),
                      key=lambda r: r.config.get("target", {}).get("name", ""))
        ok = [r for r in mine if r.status is Status.ok and r.cold_start.variants]
        notes: list[str] = []
        out += [f"### {model}", "", "Median [95% CI] over the trials, ms.", "",
                "| target | cache | trials | " + " | ".join(p[1] for p in PHASES)
                + " | total − adapter |", "|---|---|---|" + "---|" * (len(PHASES) + 1)]
        for rec in ok:
            for setting, variant in rec.cold_start.variants.items():
                cells = [ms_cell(variant["phases"][key]) for key, _ in PHASES]
                cells.append(ms_cell(without_adapter(variant["phases"], rec.cold_start.confidence)))
                out.append(f"| {target_of(rec)} | {setting} | {rec.cold_start.trials} | "
                           + " | ".join(cells) + " |")
        out += ["", "| target | artifact KiB | cache files, KiB | loaded from cache | saving in "
                "load/compile, ms | in first inference, ms | in total, ms | in total, % |",
                "|---|---|---|---|---|---|---|---|"]
        for rec in ok:
            cold, cache = rec.cold_start, rec.cold_start.cache or {}
            size = f"{cold.artifact_size_bytes / 1024:.1f}"
            if "on" not in cold.variants or "off" not in cold.variants:
                out.append(f"| {target_of(rec)} | {size} | none | n/a | n/a | n/a | n/a | n/a |")
                notes.append(f"- {cache.get('note', '')}")
                continue
            phases = {s: cold.variants[s]["phases"] for s in ("off", "on")}
            load, first = (saving_cells(phases["off"][key]["samples_ns"],
                                        phases["on"][key]["samples_ns"], cold.confidence)[0]
                           for key in ("load_ns", "first_inference_ns"))
            total_ms, total_pct = saving_cells(phases["off"]["first_result_ns"]["samples_ns"],
                                               phases["on"]["first_result_ns"]["samples_ns"],
                                               cold.confidence)
            flags = cache.get("loaded_from_cache") or []
            loaded = (f"{sum(bool(f) for f in flags)}/{len(flags)}"
                      if flags and None not in flags else "not reported")
            out.append(f"| {target_of(rec)} | {size} | {cache.get('files')}, "
                       f"{(cache.get('bytes') or 0) / 1024:.1f} | {loaded} | {load} | {first} | "
                       f"{total_ms} | {total_pct} |")
        notes += [f"- {r.config.get('target', {}).get('name')}: {r.status.value}: {r.reason}"
                  for r in mine if r not in ok]
        out += ["", *notes, ""] if notes else [""]
    return "\n".join(out)
