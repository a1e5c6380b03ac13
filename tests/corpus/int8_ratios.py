"""Print the int8/fp32 p50 ratio per corpus model and backend from one corpus sweep, and the
median speed-up across the corpus, for int8 presets side by side (e.g. before and after a change
of defaults).

    python tests/corpus/bench.py --quants fp32,int8_static_ort,int8_static --results R
    python tests/corpus/int8_ratios.py R [--int8 int8_static_ort,int8_static] [--only m1,m2]
        [--out FILE]

Reads each model's newest sweep folder under R (bench.py's layout). A cell is `ratio` (int8 p50 /
fp32 p50, < 1 is faster), `✗` when the int8 run missed its accuracy gate, or the status of a run
that did not finish; the speed-up is fp32 p50 / int8 p50 over the cells where both ran.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import records_by_cell  # noqa: E402


def newest_sweeps(results: Path) -> dict[str, Path]:
    """Return model name -> its newest sweep folder under `results`."""
    out = {}
    for model_dir in sorted(p for p in results.iterdir() if p.is_dir()):
        sweeps = sorted(p for p in model_dir.iterdir() if p.is_dir())
        if sweeps:
            out[model_dir.name] = sweeps[-1]
    return out


def cells(folder: Path) -> dict[tuple[str, str], dict]:
    """Return {(quant name, target name): {p50_ms, gate, status}} for a sweep folder."""
    out = {}
    for key, rec in records_by_cell(folder).items():
        lat = (rec.get("scenario") or {}).get("latencies_ns") or []
        gate = ((rec.get("accuracy") or {}).get("gate") or {}).get("passed")
        out[key] = {"status": rec["status"], "gate": gate,
                    "p50_ms": statistics.median(lat) / 1e6 if lat else None}
    return out


def ratio(fp32: dict | None, int8: dict | None) -> float | None:
    """Return int8 p50 / fp32 p50 where both ran, else None."""
    if not fp32 or not int8 or fp32["p50_ms"] is None or int8["p50_ms"] is None:
        return None
    return int8["p50_ms"] / fp32["p50_ms"]


def table(sweeps: dict[str, Path], presets: list[str], targets: list[str]) -> list[str]:
    """Return the markdown lines: one row per model, a ratio column per (preset, target), then
    the median speed-up row."""
    cols = [(p, t) for p in presets for t in targets]
    lines = ["| model | " + " | ".join(f"{p} {t}" for p, t in cols) + " |",
             "|---" * (len(cols) + 1) + "|"]
    speedups: dict[tuple[str, str], list[float]] = {c: [] for c in cols}
    for model, folder in sweeps.items():
        got = cells(folder)
        row = []
        for preset, target in cols:
            int8, r = got.get((preset, target)), ratio(got.get(("fp32", target)),
                                                        got.get((preset, target)))
            if r is None:
                row.append(int8["status"] if int8 else "no record")
                continue
            speedups[(preset, target)].append(1 / r)
            row.append(f"{r:.2f}" + ("" if int8["gate"] in (None, True) else " ✗"))
        lines.append(f"| {model} | " + " | ".join(row) + " |")
    lines.append("| **median speed-up (fp32/int8)** | " + " | ".join(
        f"**{statistics.median(v):.2f}×** (n={len(v)})" if v else "—"
        for v in speedups.values()) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path)
    ap.add_argument("--int8", default="int8_static_ort,int8_static")
    ap.add_argument("--targets", default="cpu,openvino_cpu")
    ap.add_argument("--only", help="models to include, comma-separated (default: all)")
    ap.add_argument("--out", type=Path)
    ns = ap.parse_args(argv)
    sweeps = newest_sweeps(ns.results)
    if ns.only:
        sweeps = {m: f for m, f in sweeps.items() if m in ns.only.split(",")}
    lines = table(sweeps, ns.int8.split(","), ns.targets.split(","))
    print("\n".join(lines))
    if ns.out:
        ns.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
