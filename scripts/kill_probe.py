"""Kill a real 40-run sweep at random points, resume it each time, and count what was lost.

    .venv/bin/python scripts/kill_probe.py --signal TERM --kills 20 --out /tmp/kill-probe

Each round starts `harness-bench -m ... resume=<folder>` (4 models x 5 recipes x 2 targets,
short scenarios), waits a random time (0-12 s after the first run process appears: model
loading, export, quantisation, timing, record writing, between runs; every fourth round
0.5-15 s after the start: composition, the fork server's preload, the resume scan),
snapshots the records on disk (name + sha256), sends the signal to the main process only,
and after it exits checks:

- records lost: a record of the snapshot that is missing, changed or unparseable, or a record
  on disk that does not parse (a half-written file), or one moved aside as corrupt;
- orphans: processes of this round (found by a token in their environment) still alive 3 s
  after the main process exited (the run process, the fork server, the resource tracker);
- for SIGTERM, the exit status (143) and the one-line message.

After the kills one last resume must complete the sweep: all 40 records present.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.records.io import read_record, record_paths  # noqa: E402

TOKEN = "EDGE_HARNESS_PROBE_TOKEN"
SWEEP = ["-m", "model=autoencoder,kws,resnet8,digits",
         "quant=fp32,int8_dynamic,fp16,int8_static,int8_static_per_tensor",
         "target=cpu,cpu_1thread"]
FAST = ["scenario.warmup_count=2", "scenario.warmup_s=0.01", "scenario.min_count=20",
        "scenario.min_duration_s=0.05", "scenario.max_duration_s=0.3", "meter.idle_baseline_s=0",
        "fidelity_samples=4"]
RUNS = 40


def snapshot(folder: Path) -> dict[str, str]:
    """Return {record file name: sha256} for the records in `folder`."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in record_paths(folder)}


def lost_records(folder: Path, before: dict[str, str]) -> list[str]:
    """Return what was lost: snapshot records missing or changed, and unreadable records."""
    after = snapshot(folder)
    lost = [f"{n} missing" for n in before if n not in after]
    lost += [f"{n} changed" for n in before if n in after and after[n] != before[n]]
    for path in record_paths(folder):
        try:
            read_record(path)
        except Exception as exc:  # any unreadable record is a loss
            lost.append(f"{path.name} unreadable: {exc}")
    lost += [f"{p.name} quarantined" for p in folder.glob(".unreadable-*")]
    return lost


def ours(token: str, variable: str = TOKEN) -> list[psutil.Process]:
    """Return the live (non-zombie) processes whose environment has `variable` = `token`."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(variable) == token and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def start(folder: Path, cache: Path, token: str, log: Path) -> subprocess.Popen:
    """Start one resume of the sweep with `token` in its environment."""
    cmd = [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()", *SWEEP,
           f"results_dir={folder.parent.parent}", "sweep=probe", f"cache_dir={cache}", *FAST,
           f"resume={folder}"]
    env = {**os.environ, "PYTHONPATH": str(REPO), TOKEN: token}
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"), text=True)


def wait_for_run(main: subprocess.Popen, token: str, t0: float) -> float:
    """Wait (at most 180 s) until a run process exists, a child of the fork server; return when."""
    while main.poll() is None and time.monotonic() - t0 < 180:
        try:
            if any(p.ppid() not in (main.pid, os.getpid()) for p in ours(token)):
                break
        except psutil.Error:
            pass
        time.sleep(0.05)
    return time.monotonic()


def round_once(folder: Path, cache: Path, sig: signal.Signals | None, delay: float,
               log: Path) -> dict:
    """Run one round: start, wait `delay` s after the first run process appears (a negative
    delay: |delay| s after the start), snapshot, signal (None: run to the end), check."""
    token = uuid.uuid4().hex
    main = start(folder, cache, token, log)
    t0 = time.monotonic()
    before: dict[str, str] = {}
    signalled = False
    if sig is not None:
        started = wait_for_run(main, token, t0) if delay >= 0 else time.monotonic()
        while main.poll() is None and time.monotonic() - started < abs(delay):
            time.sleep(0.05)
        before = snapshot(folder)
        if main.poll() is None:
            os.kill(main.pid, sig)
            signalled = True
    rc = main.wait(timeout=3600)
    time.sleep(3.0)
    orphans = ours(token)
    for proc in orphans:  # leave a clean machine for the next round
        proc.kill()
    lines = log.read_text(errors="replace").strip().splitlines()
    return {"signal": sig.name if sig else None, "delay_s": round(delay, 2),
            "signalled": signalled, "rc": rc, "records_before": len(before),
            "records_after": len(snapshot(folder)), "lost": lost_records(folder, before),
            "orphans": [f"{p.pid} {' '.join(p.cmdline())[:80]}" for p in orphans
                        if p.is_running()] if orphans else [],
            "last_line": lines[-1] if lines else "", "elapsed_s": round(time.monotonic() - t0, 1),
            "tmp_files": len(list(folder.glob(".*.tmp")))}


def main() -> int:
    """Parse the arguments, run the rounds, print and write the figures; 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signal", choices=["TERM", "KILL", "INT"], default="TERM")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("/tmp/kill-probe"))
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--max-delay", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sig = signal.Signals[f"SIG{args.signal}"]
    rng = random.Random(args.seed)
    work = args.out / args.signal.lower()
    folder = work / "results" / "probe" / "sweep"
    folder.mkdir(parents=True, exist_ok=True)
    cache = args.cache or args.out / "cache"
    t0, rounds = time.monotonic(), []
    for i in range(args.kills):
        # one round in four is signalled during start-up (composition, the fork server's
        # preload, the resume scan), the others at a random point of the runs
        delay = -rng.uniform(0.5, 15) if i % 4 == 3 else rng.uniform(0, args.max_delay)
        result = round_once(folder, cache, sig, delay, work / f"round-{i:02d}.log")
        rounds.append(result)
        print(json.dumps({"round": i, **result}), flush=True)
    final = round_once(folder, cache, None, 0, work / "final.log")
    print(json.dumps({"round": "final", **final}), flush=True)
    records = [read_record(p) for p in record_paths(folder)]
    statuses = {s: sum(r.status.value == s for r in records) for s in ("ok", "failed", "skipped")}
    kills = [r for r in rounds if r["signalled"]]
    figures = {
        "signal": sig.name, "kills": len(kills), "records_lost": sum(len(r["lost"]) for r in rounds)
        + len(final["lost"]), "orphans_left": sum(len(r["orphans"]) for r in rounds)
        + len(final["orphans"]), "runs_completed": len(records), "runs_expected": RUNS,
        "statuses": statuses, "final_rc": final["rc"],
        "exit_codes": sorted({r["rc"] for r in kills}),
        "one_line_messages": sum(r["last_line"].startswith("interrupted by") for r in kills),
        "temp_files_left": final["tmp_files"], "total_s": round(time.monotonic() - t0, 1),
        "failed_reasons": sorted({r.reason[:120] for r in records if r.status.value == "failed"}),
    }
    (work / "figures.json").write_text(json.dumps({"figures": figures, "rounds": rounds,
                                                   "final": final}, indent=1))
    print(json.dumps(figures, indent=1))
    ok = not figures["records_lost"] and not figures["orphans_left"] and len(records) == RUNS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
