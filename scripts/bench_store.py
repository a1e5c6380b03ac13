"""Time `harness history` over generated run records: through the results store and JSON-only.

    python scripts/bench_store.py generate OUT [--records 1000000] [--json-records 50000]
        [--per-sweep 1000] [--seed 0] [--base RECORD.json]
    python scripts/bench_store.py fleet OUT [--stores 1000]
    python scripts/bench_store.py time OUT [--reps 5] [--where model=resnet8] [--small 10000]
    python scripts/bench_store.py clean OUT

`generate` copies one real run record (`--base`, or one quick harness-bench run of ResNet-8 on
onnxruntime when omitted) `--records` times, varying model, quant, target, backend version,
harness commit, host, time and every latency statistic deterministically from `--seed`. The
first `--json-records` copies are written as JSON (the record's own bytes, raw latencies
included) into sweep folders of `--per-sweep` records, each indexed by the harness's own
end-of-sweep code (`index_folder`); `sub.duckdb` indexes them all through `harness store
rebuild`'s code. `all.duckdb` holds every copy, inserted through the store's bulk path with
exactly the rows `record_row` gives (checked on a sample against parsing the JSON); its rows
past `--json-records` name JSON files that were not written (a million would be ~50 GB).
OUT/fleet holds `--records / --per-sweep` sweep folders, each a copy of one per-sweep store
(cycling through them): a fleet of sweeps each with its own records.duckdb, read as one.

`time` runs the same `harness history` query in one process, alternating the cases, and prints
the median and range per case, then checks that the store and JSON paths gave the same points.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.records import store
from harness.records.store_rows import NAMES, record_row, strip_latencies
from harness.report.load import parse_record

MODELS = ("resnet8", "vww", "kws", "mobilenet_v2", "autoencoder", "efficientnet_b0", "yolov8n",
          "vit_small")
QUANTS = ("fp32", "fp16", "int8_dynamic", "int8_static")
#: target -> (backend name, library key in environment.libraries, versions oldest first)
TARGETS = {
    "cpu": ("onnxruntime", "onnxruntime", ("1.20.1", "1.21.1", "1.22.0", "1.23.2", "1.32.0")),
    "openvino_cpu": ("openvino", "openvino", ("2025.1.0", "2025.2.0", "2025.3.0", "2026.4.1")),
    "executorch_xnnpack": ("executorch", "executorch", ("0.7.0", "1.0.0", "1.5.1")),
    "litert_cpu": ("litert", "ai-edge-litert", ("1.2.0", "1.3.0", "1.4.0", "2.0.2")),
    "torch_cpu": ("torch", "torch", ("2.8.0+cpu", "2.10.0+cpu", "2.13.0+cpu")),
}
HOSTS = ("edge-pi5-01", "edge-pi5-02", "jetson-orin-01", "nuc-13", "epyc-srv-01", "epyc-srv-02")
COMMITS = 40  # harness commits over the generated period
START_UNIX_S = 1767225600  # 2026-01-01T00:00:00Z
STEP_S = 30  # seconds between consecutive generated runs
_HOLE = re.compile(r'"@@(\w+)@@"')
_LATENCY_FIELDS = ("min_ns", "max_ns", "mean_ns")
_PERCENTILES = ("p50", "p90", "p95", "p99")


@dataclass(frozen=True)
class Template:
    """A record's JSON text with holes: `parts[i]` comes before the value of `holes[i]`."""

    parts: tuple[str, ...]
    holes: tuple[str, ...]

    def fill(self, values: dict[str, str]) -> str:
        """Return the JSON text with each hole replaced by its JSON token in `values`."""
        out = [self.parts[0]]
        for hole, part in zip(self.holes, self.parts[1:], strict=True):
            out += (values[hole], part)
        return "".join(out)


def make_template(base: dict) -> tuple[Template, dict[str, float]]:
    """Return the template of the record dict `base` and its original latency numbers by hole."""
    data = json.loads(json.dumps(base))
    numbers: dict[str, float] = {}

    def hole(section: dict, key: str, name: str) -> None:
        if isinstance(section.get(key), (int, float)):
            numbers[name] = section[key]
        section[key] = f"@@{name}@@"

    for key in ("run_id", "sweep", "status", "created_at"):
        hole(data, key, key)
    for part in ("model", "quant", "target"):
        hole(data["config"][part], "name", part)
    hole(data["model"], "name", "model_name")
    hole(data["backend"], "name", "backend")
    hole(data["backend"], "version", "backend_version")
    if "runtime_version" in data["backend"]:
        hole(data["backend"], "runtime_version", "runtime_version")
    env = data["environment"]
    hole(env, "hostname", "hostname")
    hole(env, "harness_commit", "harness_commit")
    for _, lib, _ in TARGETS.values():
        if lib in (env.get("libraries") or {}):
            hole(env["libraries"], lib, f"lib_{lib}")
    scenario, summary = data["scenario"], data["scenario"]["summary"]
    for key in _LATENCY_FIELDS:
        hole(summary, key, key)
    for p in _PERCENTILES:
        for key in ("value_ns", "ci_low_ns", "ci_high_ns"):
            hole(summary[p], key, f"{p}_{key}")
    hole(scenario, "throughput_sps", "throughput_sps")
    text = json.dumps(data, indent=1, default=str, allow_nan=True)  # as write_json_atomic
    pieces = _HOLE.split(text)
    return Template(tuple(pieces[0::2]), tuple(pieces[1::2])), numbers


@dataclass(frozen=True)
class Copy:
    """One generated record: its values, file path, JSON text and store row."""

    index: int
    path: Path
    text: str
    row: tuple


class Generator:
    """Deterministic copies of one real record, varied as a fleet's history would vary."""

    def __init__(self, base_text: str, out: Path, records: int, per_sweep: int,
                 seed: int) -> None:
        self.base = parse_record(base_text, Path("base.json"), keep_latencies=True)
        self.template, self.numbers = make_template(self.base.to_dict())
        self.out, self.records, self.per_sweep = Path(out), records, per_sweep
        self.seed = seed
        rng = random.Random(seed)
        self.commits = [f"{rng.getrandbits(160):040x}" for _ in range(COMMITS)]
        self.base_ns = {(m, q, t): rng.lognormvariate(math.log(2e5), 1.0)
                        for m in MODELS for q in QUANTS for t in TARGETS}
        self.host_factor = {h: rng.uniform(0.5, 4.0) for h in HOSTS}
        # one release per runtime 25% slower than the one before it, one 10% faster
        self.version_factor = {}
        for target, (_, _, versions) in TARGETS.items():
            factor = 1.0
            for i, version in enumerate(versions):
                factor *= {1: 1.25, 2: 0.9}.get(i, 1.0)
                self.version_factor[target, version] = factor
        self.commit_factor = [1.08 if i == COMMITS // 2 else 1.0 for i in range(COMMITS)]
        self.base_row = list(record_row(self.base, Path("base.json"), Path(".")))
        self.col = {name: i for i, name in enumerate(NAMES)}
        self.libraries = dict(self.base.environment.libraries or {})

    def _values(self, i: int) -> dict[str, object]:
        rng = random.Random(self.seed * 10**9 + i)  # copy i is the same whatever came before
        model, quant, target, host = (rng.choice(MODELS), rng.choice(QUANTS),
                                      rng.choice(tuple(TARGETS)), rng.choice(HOSTS))
        backend, lib, versions = TARGETS[target]
        position = i * len(versions) / self.records
        lag = 1 if rng.random() < 0.1 else 0  # a tenth of the runs on the previous release
        version = versions[max(0, min(len(versions) - 1, int(position)) - lag)]
        commit = i * COMMITS // self.records
        p50 = (self.base_ns[model, quant, target] * self.host_factor[host]
               * self.version_factor[target, version] * self.commit_factor[commit]
               * rng.lognormvariate(0.0, 0.03))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(START_UNIX_S + STEP_S * i))
        return {"model": model, "quant": quant, "target": target, "host": host,
                "backend": backend, "lib": lib, "version": version,
                "commit": self.commits[commit], "scale": p50 / self.numbers["p50_value_ns"],
                "status": "failed" if rng.random() < 0.01 else "ok", "created_at": stamp,
                "run_id": f"{model}-{quant}-{target}-single_stream-{i:07d}",
                "sweep": f"s{i // self.per_sweep:05d}"}

    def folder(self, i: int) -> Path:
        """Return the sweep folder of copy `i`."""
        return self.out / "records" / f"s{i // self.per_sweep:05d}"

    def copy(self, i: int, row_folder: Path) -> Copy:
        """Return copy `i`, its store row as indexed from `row_folder`."""
        v = self._values(i)
        scale = v["scale"]
        tokens = {"run_id": json.dumps(v["run_id"]), "sweep": json.dumps(v["sweep"]),
                  "status": json.dumps(v["status"]), "created_at": json.dumps(v["created_at"]),
                  "model": json.dumps(v["model"]), "model_name": json.dumps(v["model"]),
                  "quant": json.dumps(v["quant"]), "target": json.dumps(v["target"]),
                  "backend": json.dumps(v["backend"]),
                  "backend_version": json.dumps(v["version"]),
                  "runtime_version": json.dumps(v["version"]),
                  "hostname": json.dumps(v["host"]), "harness_commit": json.dumps(v["commit"])}
        libraries = dict(self.libraries)
        for _, lib, _ in TARGETS.values():
            if lib in libraries:
                value = v["version"] if lib == v["lib"] else self.libraries[lib]
                tokens[f"lib_{lib}"] = json.dumps(value)
                libraries[lib] = value
        scaled: dict[str, float | int] = {}
        for name, number in self.numbers.items():
            if name == "throughput_sps":
                scaled[name] = number / scale
            elif name == "mean_ns":
                scaled[name] = number * scale
            else:
                scaled[name] = round(number * scale)
            tokens[name] = json.dumps(scaled[name])
        text = self.template.fill(tokens)
        path = self.folder(i) / f"{v['run_id']}.json"
        row = list(self.base_row)
        col = self.col
        cells = {"path": str(path), "folder": str(row_folder), "run_id": v["run_id"],
                 "sweep": v["sweep"], "status": v["status"], "created_at": v["created_at"],
                 "model": v["model"], "quant": v["quant"], "target": v["target"],
                 "host": v["host"], "backend": v["backend"], "backend_version": v["version"],
                 "harness_commit": v["commit"],
                 "libraries": json.dumps(libraries, sort_keys=True),
                 "mean_ns": scaled["mean_ns"], "throughput_sps": scaled["throughput_sps"],
                 "record_json": strip_latencies(text)}
        for p in ("p50", "p90", "p99"):
            cells |= {f"{p}_ns": scaled[f"{p}_value_ns"], f"{p}_low_ns": scaled[f"{p}_ci_low_ns"],
                      f"{p}_high_ns": scaled[f"{p}_ci_high_ns"]}
        for name, value in cells.items():
            row[col[name]] = value
        return Copy(i, path, text, tuple(row))


def check_rows(gen: Generator, row_folder: Path, count: int) -> None:
    """Raise AssertionError unless the first `count` generated rows equal what `record_row`
    gives for the parsed JSON (so the fast rows are the store's own rows)."""
    for i in range(count):
        c = gen.copy(i, row_folder)
        expected = record_row(parse_record(c.text, c.path), c.path, row_folder, c.text)
        assert c.row == expected, f"copy {i}: generated row differs from record_row"
        kept = parse_record(c.text, c.path, keep_latencies=True).scenario.latencies_ns
        assert kept == gen.base.scenario.latencies_ns, f"copy {i}: raw latencies lost"


def seed_record(out: Path) -> Path:
    """Run one quick harness-bench of ResNet-8 fp32 on onnxruntime; return its record's path."""
    bench = Path(sys.executable).with_name("harness-bench")
    subprocess.run([str(bench), "model=resnet8", "quant=fp32", "target=cpu",
                    "scenario.trials=1", f"results_dir={out / 'seed'}"], check=True)
    (path,) = [p for p in (out / "seed").rglob("*.json") if ".hydra" not in p.parts]
    return path


def write_json(gen: Generator, count: int) -> tuple[list[Path], float]:
    """Write the first `count` copies as JSON files; return their sweep folders and seconds."""
    start, folders = time.perf_counter(), []
    for i in range(count):
        c = gen.copy(i, gen.folder(i))
        if i % gen.per_sweep == 0:
            folders.append(c.path.parent)
            c.path.parent.mkdir(parents=True, exist_ok=True)
        c.path.write_text(c.text)
    return folders, time.perf_counter() - start


def bulk_store(gen: Generator, target: Path, count: int, chunk: int = 50_000) -> float:
    """Insert the rows of the first `count` copies into the store `target` through the store's
    bulk path, `chunk` rows at a time; return the seconds it took."""
    start = time.perf_counter()
    target.unlink(missing_ok=True)
    con = store.connect(target)
    try:
        for lo in range(0, count, chunk):
            rows = (gen.copy(i, gen.out / "records").row for i in range(lo, min(count, lo + chunk)))
            store.bulk_insert(con, rows, target.with_suffix(".ndjson"))
            print(f"  {min(count, lo + chunk):,} rows in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - start


def fleet(out: Path, stores: int) -> int:
    """Copy the per-sweep stores into `stores` sweep folders under OUT/fleet (cycling through
    them), as a fleet of sweeps each with its own records.duckdb; return the rows in all."""
    sources = sorted((out / "records").glob(f"*/{store.STORE_NAME}"))
    shutil.rmtree(out / "fleet", ignore_errors=True)
    for k in range(stores):
        folder = out / "fleet" / f"s{k:05d}"
        folder.mkdir(parents=True)
        shutil.copyfile(sources[k % len(sources)], folder / store.STORE_NAME)
    con, rel = store.open_union(store.store_files([out / "fleet"]))
    try:
        return con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
    finally:
        con.close()


def generate(out: Path, records: int, json_records: int, per_sweep: int, seed: int,
             base: Path | None, skip_bulk: bool = False) -> dict:
    """Generate the records, the per-sweep stores and the two whole stores (`skip_bulk`: keep
    the whole store already there, as its rows do not depend on the JSON); return timings."""
    from harness.report.store_load import index_folder, rebuild

    out.mkdir(parents=True, exist_ok=True)
    base = base or seed_record(out)
    figures: dict = {"records": records, "json_records": json_records, "per_sweep": per_sweep,
                     "seed": seed, "base": str(base), "base_bytes": base.stat().st_size}
    gen = Generator(base.read_text(), out, records, per_sweep, seed)
    check_rows(gen, out / "records", min(500, records))
    folders, figures["json_write_s"] = write_json(gen, json_records)
    print(f"{json_records:,} JSON records written in {figures['json_write_s']:.0f} s",
          file=sys.stderr)
    start = time.perf_counter()
    for folder in folders:
        index_folder(folder)
    figures["per_sweep_index_s"] = time.perf_counter() - start
    count, figures["rebuild_s"] = rebuild([out / "records"], out / "sub.duckdb")
    assert count == json_records, (count, json_records)
    print(f"rebuild of {count:,} in {figures['rebuild_s']:.0f} s", file=sys.stderr)
    if skip_bulk:
        old = json.loads((out / "generate.json").read_text())
        assert (old["records"], old["seed"]) == (records, seed), "a different whole store"
        figures["bulk_store_s"] = old["bulk_store_s"]
    else:
        figures["bulk_store_s"] = bulk_store(gen, out / "all.duckdb", records)
    figures["all_duckdb_bytes"] = (out / "all.duckdb").stat().st_size
    figures["sub_duckdb_bytes"] = (out / "sub.duckdb").stat().st_size
    figures["json_bytes"] = sum(p.stat().st_size for p in (out / "records").rglob("*.json"))
    figures["fleet_stores"] = records // per_sweep
    figures["fleet_rows"] = fleet(out, figures["fleet_stores"])
    (out / "generate.json").write_text(json.dumps(figures, indent=1))
    return figures


def _history(args: Sequence[str]) -> tuple[float, str]:
    from harness.cli import dispatch

    sink = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(io.StringIO()):
        assert dispatch(["history", *args]) == 0
    return time.perf_counter() - start, sink.getvalue()


def _points(args: Sequence[str]) -> tuple[float, int]:
    """Time the query alone (history's points, no table printed); return seconds and points."""
    from harness.cli import parser
    from harness.report.history_cli import history_points

    ns = parser(load=["history"]).parse_args(["history", *args])
    start = time.perf_counter()
    points = history_points(ns)
    return time.perf_counter() - start, len(points)


def cases(out: Path, where: Sequence[str], small: int) -> Iterator[tuple[str, int, list[str]]]:
    """Yield (name, records, history arguments) of every timed case."""
    figures = json.loads((out / "generate.json").read_text())
    n, m, per = figures["records"], figures["json_records"], figures["per_sweep"]
    flags = [f"--where={w}" for w in where]
    few = [str(out / "records" / f"s{k:05d}") for k in range(max(1, small // per))]
    yield "store: one records.duckdb", n, [str(out / "all.duckdb"), *flags]
    if figures.get("fleet_stores"):
        yield (f"store: per-sweep stores ({figures['fleet_stores']:,})", figures["fleet_rows"],
               [str(out / "fleet"), *flags])
    yield "store: one records.duckdb", m, [str(out / "sub.duckdb"), *flags]
    yield f"store: per-sweep stores ({m // per})", m, [str(out / "records"), *flags]
    yield "JSON records (--json)", m, [str(out / "records"), "--json", *flags]
    yield f"store: per-sweep stores ({len(few)})", len(few) * per, [*few, *flags]
    yield "JSON records (--json)", len(few) * per, [*few, "--json", *flags]


def time_cases(out: Path, reps: int, where: Sequence[str], small: int) -> list[dict]:
    """Time every case `reps` times, interleaved; return one result dict per case."""
    todo = list(cases(out, where, small))
    seconds: list[list[float]] = [[] for _ in todo]
    query: list[list[float]] = [[] for _ in todo]
    outputs: list[str] = [""] * len(todo)
    points = [0] * len(todo)
    for rep in range(reps):
        for k, (name, count, args) in enumerate(todo):
            s, outputs[k] = _history(args)
            q, points[k] = _points(args)
            seconds[k].append(s)
            query[k].append(q)
            print(f"rep {rep + 1}/{reps}  {name:32s} {count:>9,}  command {s:8.3f} s  "
                  f"query {q:8.3f} s", file=sys.stderr)
    results = []
    for k, (name, count, args) in enumerate(todo):
        times = seconds[k]
        results.append({"case": name, "records": count, "args": args, "seconds": times,
                        "median_s": statistics.median(times), "min_s": min(times),
                        "max_s": max(times), "query_s": query[k],
                        "query_median_s": statistics.median(query[k]), "points": points[k],
                        "output": outputs[k]})
    return results


def same_points(out: Path, where: Sequence[str]) -> bool:
    """Return True when the store and the JSON records give the same history points."""
    from harness.report.history import parse_where, points_from_runs, points_from_store
    from harness.report.load import load_runs

    pairs = parse_where(list(where))
    folder = out / "records"
    return points_from_store([out / "sub.duckdb"], "p50", pairs) == \
        points_from_store([folder], "p50", pairs) == \
        points_from_runs(load_runs([folder]), "p50", pairs)


def cli_seconds(out: Path, where: Sequence[str], reps: int) -> list[float]:
    """Return the wall seconds of `harness history` on the whole store as a fresh process."""
    exe = Path(sys.executable).with_name("harness")
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run([str(exe), "history", str(out / "all.duckdb"),
                        *(f"--where={w}" for w in where)], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out", type=Path)
    g.add_argument("--records", type=int, default=1_000_000)
    g.add_argument("--json-records", type=int, default=50_000)
    g.add_argument("--per-sweep", type=int, default=1000)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--base", type=Path, help="a real run record to copy (default: run one)")
    g.add_argument("--skip-bulk", action="store_true",
                   help="keep OUT/all.duckdb from an earlier generate with the same N and seed")
    t = sub.add_parser("time")
    t.add_argument("out", type=Path)
    t.add_argument("--reps", type=int, default=5)
    t.add_argument("--where", action="append", default=None)
    t.add_argument("--small", type=int, default=10_000, help="records in the small JSON case")
    f = sub.add_parser("fleet", help="(re)make OUT/fleet from the per-sweep stores")
    f.add_argument("out", type=Path)
    f.add_argument("--stores", type=int, default=1000)
    c = sub.add_parser("clean")
    c.add_argument("out", type=Path)
    args = p.parse_args(argv)
    if args.command == "generate":
        figures = generate(args.out, args.records, args.json_records, args.per_sweep, args.seed,
                           args.base, args.skip_bulk)
        print(json.dumps(figures, indent=1))
    elif args.command == "time":
        where = args.where if args.where is not None else ["model=resnet8"]
        results = time_cases(args.out, args.reps, where, args.small)
        agree = same_points(args.out, where)
        cli = cli_seconds(args.out, where, 3)
        print("| path | records | points | command: median s | min–max s | query alone: "
              "median s | min–max s | command per record µs |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(f"| {r['case']} | {r['records']:,} | {r['points']:,} | {r['median_s']:.3f} | "
                  f"{r['min_s']:.3f}–{r['max_s']:.3f} | {r['query_median_s']:.3f} | "
                  f"{min(r['query_s']):.3f}–{max(r['query_s']):.3f} | "
                  f"{r['median_s'] / r['records'] * 1e6:.2f} |")
        print(f"\nstore and JSON points identical: {agree}")
        print(f"`harness history` on the whole store as a fresh process: median "
              f"{statistics.median(cli):.2f} s ({', '.join(f'{s:.2f}' for s in cli)})")
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {peak_mib:.0f} MiB")
        (args.out / "time.json").write_text(json.dumps(
            {"results": results, "agree": agree, "cli_s": cli, "peak_rss_mib": peak_mib},
            indent=1))
    elif args.command == "fleet":
        figures = json.loads((args.out / "generate.json").read_text())
        figures["fleet_stores"], figures["fleet_rows"] = args.stores, fleet(args.out, args.stores)
        (args.out / "generate.json").write_text(json.dumps(figures, indent=1))
        print(json.dumps(figures, indent=1))
    else:
        shutil.rmtree(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
