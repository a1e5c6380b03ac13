"""Benchmark the fetched corpus through harness-bench, as a user would, and write the cells table.

    python tests/corpus/bench.py [--only name,...] [--ci] [--dest models/corpus]
        [--quants fp32,int8_static,int8_dynamic] [--targets cpu,openvino_cpu] [--out FILE]

One Hydra multirun per model (quick profile, short durations, each run in its own process),
into results/corpus/<model>/<timestamp>/; then one line per model with every cell: `ok p50`
(and, for models with a data set, the task metric on its held-out split, e.g. `top1 0.993`), or
`failed`/`skipped` with the record's own reason. Run tests/corpus/fetch.py first.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch import harness_args, load_corpus  # noqa: E402

QUICK = ["scenario.min_duration_s=0.2", "scenario.max_duration_s=1", "scenario.min_count=20",
         "scenario.warmup_count=5", "meter=none", "run_timeout_s=300"]


def _bench_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("harness-bench")
    return [str(exe)] if exe.exists() else [shutil.which("harness-bench") or "harness-bench"]


def run_model(entry: dict, dest: Path, quants: str, targets: str, results: Path) -> Path:
    """Run one model's sweep; return its sweep folder."""
    root = results / entry["name"]
    before = set(root.glob("*")) if root.exists() else set()
    cmd = [*_bench_cmd(), "-m", *harness_args(entry, dest), f"quant={quants}",
           f"target={targets}", f"results_dir={results}", f"sweep={entry['name']}", *QUICK]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    new = sorted(set(root.glob("*")) - before) if root.exists() else []
    return new[-1] if new else root


def _one_line(text: str, limit: int = 220) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def records_by_cell(folder: Path) -> dict[tuple[str, str], dict]:
    """Return {(quant name, target name): run record} for the records in a sweep folder."""
    out = {}
    for f in sorted(folder.glob("*.json")):
        rec = json.loads(f.read_text())
        if "config" in rec:
            out[(rec["config"]["quant"]["name"], rec["config"]["target"]["name"])] = rec
    return out


def cells(folder: Path) -> dict[tuple[str, str], str]:
    """Return {(quant, target): cell text} from the records in a sweep folder."""
    out = {}
    for key, rec in records_by_cell(folder).items():
        if rec["status"] == "ok":
            lat = rec["scenario"].get("latencies_ns") or []
            p50 = statistics.median(lat) / 1e6 if lat else float("nan")
            accuracy = rec.get("accuracy") or {}
            gate = (accuracy.get("gate") or {}).get("passed")
            task = accuracy.get("task")
            metric = f", {task['metric']} {task['value']:.3f}" if task else ""
            out[key] = (f"ok {p50:.3g} ms{metric}"
                        + ("" if gate in (None, True) else " (gate failed)"))
        else:
            out[key] = f"{rec['status']}: {_one_line(rec.get('reason') or rec.get('error_type'))}"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only")
    ap.add_argument("--ci", action="store_true")
    ap.add_argument("--dest", default="models/corpus")
    ap.add_argument("--results", default="results/corpus")
    ap.add_argument("--quants", default="fp32,int8_static,int8_dynamic")
    ap.add_argument("--targets", default="cpu,openvino_cpu")
    ap.add_argument("--out", default="results/corpus/table.md")
    ns = ap.parse_args(argv)
    entries = load_corpus()
    if ns.only:
        wanted = set(ns.only.split(","))
        entries = [e for e in entries if e["name"] in wanted]
    if ns.ci:
        entries = [e for e in entries if e.get("ci")]
    dest, results = Path(ns.dest), Path(ns.results)
    cols = [(q, t) for q in ns.quants.split(",") for t in ns.targets.split(",")]
    lines = ["| model | source package | " + " | ".join(f"{q} {t}" for q, t in cols) + " |",
             "|---" * (len(cols) + 2) + "|"]
    for entry in entries:
        if not (dest / f"{entry['name']}.onnx").is_file():
            row = ["not fetched (run tests/corpus/fetch.py)"] * len(cols)
        else:
            got = cells(run_model(entry, dest, ns.quants, ns.targets, results))
            row = [got.get(c, "no record") for c in cols]
        src = (f"{entry['package']}=={entry['version']}" if "package" in entry
               else f"derived from {entry['derive']['from']}")
        line = f"| {entry['name']} | {src} | " + " | ".join(c.replace("|", "/") for c in row) + " |"
        print(line, flush=True)
        lines.append(line)
    Path(ns.out).parent.mkdir(parents=True, exist_ok=True)
    Path(ns.out).write_text("\n".join(lines) + "\n")
    print(f"table written to {ns.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
