"""Each run in its own process: a crash, hang or memory blow-up becomes a failed record."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil

from harness.config import BenchConfig
from harness.records.builder import RunBuilder
from harness.records.io import read_record, write_record
from harness.records.schema import RunRecord, Status
from harness.run.child import run_and_record
from harness.run.forkserver_guard import PARENT_ENV, run_dies_with

POLL_S = 0.05
AUTO_CAP_FRACTION = 0.8  # memory_cap_mb=null: a run may use up to 80% of the machine's memory
_KILLED_BY = {"SIGKILL", "SIGTERM", "SIGINT", "SIGHUP"}  # run control, not the run's own crash
# Imported once in the fork server, so each run starts in milliseconds instead of importing
# torch, onnxruntime and the runtimes again (seconds each). A missing optional runtime is skipped
# by the fork server. Nothing here starts threads at import, so forking afterwards is safe.
# forkserver_guard comes first: it makes the server die with the main process (its docstring).
_PRELOAD = ["harness.run.forkserver_guard", "harness.run.child", "harness.run.execute",
            "harness.backends.openvino_backend", "harness.backends.executorch_backend"]


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD + _start_method_module())
    return ctx


def _start_method_module() -> list[str]:
    """Return the module defining this process's start method when it is not a built-in one.

    A child re-applies its parent's start method; in a joblib (loky) worker that is "loky",
    which the fork server only knows once it has imported loky's context module."""
    if multiprocessing.get_start_method(allow_none=True) in (None, "fork", "spawn", "forkserver"):
        return []
    return [type(multiprocessing.get_context()).__module__]


def memory_cap(cfg: BenchConfig) -> tuple[int | None, bool]:
    """Return (the RSS cap in bytes or None for no cap, whether it was chosen automatically):
    memory_cap_mb null is 80% of this machine's memory, 0 is no cap, N is N MiB."""
    if cfg.memory_cap_mb is None:
        return int(psutil.virtual_memory().total * AUTO_CAP_FRACTION), True
    if cfg.memory_cap_mb <= 0:
        return None, False
    return int(cfg.memory_cap_mb) * 2**20, False


def _child(cfg: BenchConfig, config: dict[str, Any], out_dir: Path, conn: Connection,
           main_pid: int, memory: dict[str, Any]) -> None:

    run_dies_with(main_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the main stops us
    record = run_and_record(cfg, config, out_dir, memory=memory)
    conn.send(record.run_id)
    conn.close()


def _signal_text(exitcode: int | None) -> tuple[str, str]:
    """Return (how the child ended, the record's error_type)."""
    if exitcode is None or exitcode >= 0:
        return f"exited with status {exitcode} before writing its record", "RunProcessDied"
    name = signal.Signals(-exitcode).name
    hint = " (the out-of-memory killer, or a user, killed it)" if name == "SIGKILL" else ""
    return f"crashed with {name}{hint}", "RunKilled" if name in _KILLED_BY else "RunProcessDied"


def _cap_text(cap_bytes: int, auto: bool) -> str:
    if auto:
        return (f"exceeded the automatic memory cap of {cap_bytes >> 20} MiB (80% of this "
                "machine's memory; set memory_cap_mb=N, or 0 for none)")
    return f"exceeded the memory cap of {cap_bytes >> 20} MiB"


def _watch(proc: Any, timeout_s: float, cap_bytes: int | None,
           auto: bool = False) -> tuple[str, str, int]:
    """Wait for the child; return (why it was stopped or '', error_type, peak RSS in bytes)."""
    deadline, peak = time.monotonic() + timeout_s, 0
    while proc.is_alive():
        proc.join(POLL_S)
        try:
            peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
        except psutil.Error:
            continue
        if cap_bytes is not None and peak > cap_bytes:
            _stop(proc)
            return _cap_text(cap_bytes, auto), "MemoryCapExceeded", peak
        if time.monotonic() > deadline:
            _stop(proc)
            return f"timed out after {timeout_s:g} s (run_timeout_s)", "RunTimedOut", peak
    return "", "", peak


def _stop(proc: Any) -> None:
    """Kill the child if it was started and is still running, and reap it."""
    if proc.pid is not None and proc.is_alive():
        proc.kill()
        proc.join(10)


def _received(receiver: Connection) -> str | None:
    """Return the run id the child sent, or None when it died first (EOF on the pipe)."""
    try:
        return receiver.recv() if receiver.poll() else None
    except (EOFError, OSError):
        return None


def run_isolated(cfg: BenchConfig, config: dict[str, Any], out_dir: Path) -> RunRecord:
    """Run in a child process; return its record, or a failed one saying how the child died.

    An interrupt (SIGTERM, Ctrl-C) kills the child before it propagates: no run outlives
    the sweep, and the interrupted run leaves no record, so resume= runs it again."""

    cap, auto = memory_cap(cfg)
    memory = {"cap_bytes": cap, "cap_auto": auto}
    os.environ[PARENT_ENV] = str(os.getpid())  # read by the fork server this process starts
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(cfg, config, out_dir, sender, os.getpid(), memory),
                       daemon=True)
    try:
        proc.start()
        sender.close()
        stopped, error_type, peak = _watch(proc, cfg.run_timeout_s, cap, auto)
    except BaseException:
        _stop(proc)
        raise
    run = RunBuilder(config, cfg.sweep)
    if not stopped and (run_id := _received(receiver)) is not None:
        return read_record(Path(out_dir) / f"{run_id}.json")
    if not stopped:
        stopped, error_type = _signal_text(proc.exitcode)
    run.set(memory={"peak_rss_bytes": peak, "peak_rss_scope": "run process (sampled)", **memory})
    record = run.finish(Status.failed, f"The run {stopped}; the sweep goes on. "
                        "Rerun it alone with isolation=none to debug.", error_type)
    write_record(out_dir, record)
    return record
