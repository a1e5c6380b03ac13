"""Injected faults: crashes, hangs, leaks, full disks, corrupt files, kills and races.

Each must end in a clear message and leave every record already written complete."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.core.errors import ResultsError
from harness.records.io import iter_records, read_record, write_record
from harness.records.schema import Status
from tests.faults.conftest import FAST

REPO = Path(__file__).resolve().parents[2]
FAULTY = "tests.faults.backends"


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from harness.run.hydra_app import bench; bench()", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _sweep(tmp: Path, *overrides: str, cache: Path) -> subprocess.CompletedProcess:
    flags = [o for o in overrides if o.startswith("-")]
    rest = [o for o in overrides if not o.startswith("-")]
    fast = [o for o in FAST if not o.startswith("isolation")]
    return subprocess.run(_cmd(*flags, f"results_dir={tmp}", f"cache_dir={cache}", *fast, *rest),
                          capture_output=True, text=True, timeout=600, cwd=tmp, env=_env())


def _valid_records(folder: Path) -> list:
    """Every visible .json record must parse; returns them."""
    return list(iter_records(folder))


@pytest.fixture(scope="module")
def faulty_sweep(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> dict[str, dict]:
    """One isolated sweep over four misbehaving backends; records keyed by backend class."""
    tmp = tmp_path_factory.mktemp("faulty")
    backends = ",".join(f"{FAULTY}:{c}" for c in
                        ("SegfaultBackend", "HangingBackend", "RaisingBackend", "GreedyBackend"))
    warm = _sweep(tmp_path_factory.mktemp("warm"), "model=digits", cache=cache_dir)
    assert warm.returncode == 0, warm.stderr[-3000:]  # trained, exported: timeouts time the fault
    proc = _sweep(tmp, "-m", "model=digits", f"target.backend={backends}", "run_timeout_s=30",
                  "memory_cap_mb=1200", cache=cache_dir)
    assert proc.returncode == 1, proc.stderr[-3000:]  # nothing succeeded: non-zero, table shown
    assert "Traceback" not in proc.stderr
    recs = _valid_records(tmp)
    return {r.config["target"]["backend"].split(":")[1]: r for r in recs}


@pytest.mark.parametrize(("backend", "words"), [
    ("SegfaultBackend", "crashed with SIGSEGV"),
    ("HangingBackend", "timed out after 30 s"),
    ("RaisingBackend", "Unexpected RuntimeError inside the run: vendor runtime"),
    ("GreedyBackend", "exceeded the memory cap of 1200 MiB"),
])
def test_misbehaving_backend_is_a_failed_record(faulty_sweep, backend: str, words: str) -> None:
    record = faulty_sweep[backend]
    assert record.status is Status.failed and words in record.reason


def test_full_disk_keeps_the_earlier_record(tmp_path: Path, run_config, monkeypatch) -> None:
    good = run_config()
    path = tmp_path / "out" / f"{good.run_id}.json"
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(ResultsError, match="No space left"):
        write_record(tmp_path / "out", good)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_unwritable_results_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = _sweep(tmp_path, "model=digits", f"results_dir={blocker}", cache=tmp_path / "c")
    assert proc.returncode == 2 and "Cannot write results" in proc.stderr


def test_corrupt_cache_entry_is_rebuilt(run_config, cache_dir: Path) -> None:
    first = run_config("quant=int8_static")
    Path(first.artifact.path).write_bytes(b"\x08\x01garbage")
    second = run_config("quant=int8_static")
    assert second.status is Status.ok and second.artifact.cache_hit is False
    assert second.artifact.sha256 == first.artifact.sha256


def test_corrupt_record_is_rerun_on_resume(tmp_path: Path, cache_dir: Path) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()  # resume= refuses a folder that does not exist
    assert _sweep(tmp_path, "model=digits", f"resume={folder}", cache=cache_dir).returncode == 0
    (path,) = folder.glob("*.json")
    path.write_text(path.read_text()[:100])
    assert _sweep(tmp_path, "model=digits", f"resume={folder}", cache=cache_dir).returncode == 0
    assert read_record(path).status is Status.ok


def test_kill_mid_sweep_then_resume(tmp_path: Path, cache_dir: Path) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    args = _cmd("-m", f"results_dir={tmp_path}", f"cache_dir={cache_dir}", *FAST[:-1],
                "model=digits", "quant=fp32,int8_static,int8_dynamic", f"resume={folder}",
                "scenario.min_duration_s=1.0", "scenario.max_duration_s=2.0")
    proc = subprocess.Popen(args, cwd=tmp_path, env=_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list(folder.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = {r.run_id: r.created_at for r in _valid_records(folder)}
    assert 1 <= len(kept) < 3
    assert _sweep(tmp_path, "-m", "model=digits", "quant=fp32,int8_static,int8_dynamic",
                  f"resume={folder}", "scenario.min_duration_s=1.0",
                  "scenario.max_duration_s=2.0", cache=cache_dir).returncode == 0
    after = {r.run_id: r.created_at for r in _valid_records(folder)}
    assert len(after) == 3 and all(after[k] == v for k, v in kept.items())


def test_two_sweeps_into_one_folder(tmp_path: Path, cache_dir: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    args = [_cmd("-m", f"results_dir={tmp_path}", f"cache_dir={cache_dir}", *FAST[:-1],
                 "model=digits", "quant=fp32,int8_static", f"resume={folder}")
            for _ in range(2)]
    procs = [subprocess.Popen(a, cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for a in args]
    assert [p.wait(timeout=600) for p in procs] == [0, 0], [p.stderr.read() for p in procs]
    recs = _valid_records(folder)
    assert sorted(r.config["quant"]["name"] for r in recs) == ["fp32", "int8_static"]
    assert all(r.status is Status.ok for r in recs)
    assert all(json.loads(p.read_text()) for p in folder.glob("*.json"))
