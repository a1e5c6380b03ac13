"""Run control under fire: SIGTERM and SIGKILL mid-sweep, two sweeps in one second, resume over
newer, corrupt and failed records. Real harness-bench subprocesses, real fork server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

from harness.config import config_to_dict
from harness.records.builder import RunBuilder, run_id_for
from harness.records.io import iter_records, record_paths, write_record
from harness.records.schema import Status
from harness.run.job import kept_record, run_composed
from scripts.kill_probe import ours
from tests.faults.conftest import FAST, compose_config
from tests.faults.test_injected_faults import _cmd, _env, _sweep

TOKEN = "EDGE_HARNESS_TEST_TOKEN"  # every process of a test's sweep inherits it
SWEEP = ["-m", "model=digits", "quant=fp32,int8_dynamic"]
FROZEN_NOW = ("import datetime as d, hydra.core.utils as u; u.datetime = type('Frozen', "
              "(d.datetime,), {'now': classmethod(lambda c, tz=None: d.datetime(2030, 1, 1))}); "
              "from harness.run.hydra_app import bench; bench()")


def _ours(token: str) -> list[psutil.Process]:
    return ours(token, TOKEN)


def _no_survivors(token: str, within_s: float = 5.0) -> list[psutil.Process]:
    deadline = time.monotonic() + within_s
    while (left := _ours(token)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _start(tmp: Path, cache: Path, *overrides: str) -> tuple[subprocess.Popen, str]:
    token = uuid.uuid4().hex
    fast = [o for o in FAST if not o.startswith("isolation")]
    args = _cmd(*overrides[:1], f"results_dir={tmp}", "sweep=t", f"cache_dir={cache}", *fast,
                *overrides[1:])
    proc = subprocess.Popen(args, cwd=tmp, env={**_env(), TOKEN: token}, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, token


def _wait_for_run_process(main: subprocess.Popen, token: str, records: int, tmp: Path) -> Path:
    """Wait until `records` records exist and a run process (the fork server's child) runs."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and main.poll() is None:
        found = list((tmp / "t").glob("*/*.json"))
        runs = [p for p in _ours(token) if p.ppid() not in (main.pid, os.getpid())]
        if len(found) >= records and runs:
            return next((tmp / "t").iterdir())
        time.sleep(0.1)
    raise AssertionError(f"no run process appeared: {main.poll()}")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in record_paths(folder)}


def test_sigterm_stops_the_sweep_in_one_line_and_resume_completes(tmp_path, cache_dir) -> None:
    main, token = _start(tmp_path, cache_dir, *SWEEP)
    folder = _wait_for_run_process(main, token, 1, tmp_path)
    before = _snapshot(folder)
    main.send_signal(signal.SIGTERM)
    err = main.communicate(timeout=60)[1]
    after = _snapshot(folder)
    assert main.returncode == 143, err[-2000:]
    assert "Traceback" not in err and err.count("interrupted") == 1
    assert err.strip().splitlines()[-1] == (f"interrupted by SIGTERM after {len(after)} of 2 "
                                            f"runs; complete it with resume={folder}")
    assert not _no_survivors(token)
    assert all(after[name] == data for name, data in before.items()) and len(after) < 2
    assert (folder / "summary.md").exists()
    done = _sweep(tmp_path, *SWEEP, f"resume={folder}", cache=cache_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    records = list(iter_records(folder))
    assert len(records) == 2 and all(r.status is Status.ok for r in records)
    assert all(r.memory.get("cap_auto") and r.memory.cap_bytes > 0 for r in records)
    assert all(_snapshot(folder)[name] == data for name, data in after.items())


def test_sigkill_of_the_sweep_leaves_no_process(tmp_path: Path, cache_dir: Path) -> None:
    main, token = _start(tmp_path, cache_dir, "model=digits", "run_timeout_s=120",
                         "target.backend=tests.faults.backends:HangingBackend")  # runs on
    _wait_for_run_process(main, token, 0, tmp_path)
    time.sleep(1.0)
    main.kill()
    main.communicate(timeout=60)
    assert not _no_survivors(token), "the run or the fork server outlived a SIGKILLed sweep"


def test_two_sweeps_started_in_one_second_keep_both_records(tmp_path, cache_dir) -> None:
    fast = [o for o in FAST if not o.startswith("isolation")]
    args = [sys.executable, "-c", FROZEN_NOW, f"results_dir={tmp_path}", f"cache_dir={cache_dir}",
            *fast, "model=digits", "model.name=no_such_model", "isolation=none"]  # fails fast
    procs = [subprocess.Popen(args, cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [1, 1], [p.stderr.read() for p in procs]
    folders = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert folders == ["20300101-000000", "20300101-000000-2"]
    assert len(list(iter_records(tmp_path))) == 2


def test_mistyped_resume_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    proc = _sweep(tmp_path, "model=digits", f"resume={tmp_path / 'typo'}", cache=tmp_path / "c")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert re.search(r"^error: resume=.*typo: no such sweep folder.*\n\Z", proc.stderr, re.M)
    assert sorted(tmp_path.rglob("*")) == before


def test_resume_refuses_to_replace_a_newer_record(tmp_path: Path, cache_dir: Path) -> None:
    fast = [o for o in FAST if not o.startswith("isolation")]
    config = config_to_dict(compose_config("model=digits", *fast))
    folder = tmp_path / "old"
    newer = RunBuilder(config, "single").finish(Status.ok).to_dict() | {"schema_version": 99}
    path = folder / f"{run_id_for(config)}.json"
    folder.mkdir()
    path.write_text(json.dumps(newer))
    data = path.read_bytes()
    proc = _sweep(tmp_path, "model=digits", f"resume={folder}", cache=cache_dir)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "newer edge-harness" in proc.stderr and "resume into a new folder" in proc.stderr
    assert path.read_bytes() == data and "Traceback" not in proc.stderr


def test_corrupt_record_is_moved_aside_not_lost(tmp_path: Path, capsys) -> None:
    config = config_to_dict(compose_config("model=digits"))
    path = tmp_path / f"{run_id_for(config)}.json"
    path.write_text('{"run_id": "half a rec')
    assert kept_record(tmp_path, config) is None
    (moved,) = tmp_path.glob(".unreadable-*.json")
    assert not path.exists() and moved.read_text() == '{"run_id": "half a rec'
    assert "moved it to .unreadable-" in capsys.readouterr().err
    assert record_paths(tmp_path) == []


def test_resume_reruns_run_control_failures_and_retry_failed_reruns_all(tmp_path) -> None:
    overrides = ["model=digits", "model.name=no_such_model", *FAST]  # a run that fails at once
    cfg = compose_config(*overrides)
    config, out = config_to_dict(cfg), tmp_path / "out"
    for error_type in ("RunTimedOut", "MemoryCapExceeded", "RunKilled"):
        write_record(out, RunBuilder(config, "single").finish(Status.failed, "old", error_type))
        assert run_composed(cfg, out).error_type == "ConfigError"  # run again
    write_record(out, RunBuilder(config, "single").finish(Status.failed, "old", "ConfigError"))
    assert run_composed(compose_config(*overrides), out).reason == "old"  # its own failure: kept
    retried = run_composed(compose_config(*overrides, "retry_failed=true"), out)
    assert retried.reason != "old" and retried.error_type == "ConfigError"
