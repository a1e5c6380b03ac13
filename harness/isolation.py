"""Each run in its own process: a crash, hang or memory blow-up becomes a failed record."""

from __future__ import annotations

import multiprocessing
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil

from harness.config import BenchConfig
from harness.records.builder import RunBuilder
from harness.records.io import write_record
from harness.records.schema import RunRecord, Status

POLL_S = 0.05
# Imported once in the fork server, so each run starts in milliseconds instead of importing
# torch, onnxruntime and the runtimes again (seconds each). A missing optional runtime is skipped
# by the fork server. Nothing here starts threads at import, so forking afterwards is safe.
_PRELOAD = ["harness.runner", "harness.pipeline", "harness.backends.openvino_backend",
            "harness.backends.executorch_backend"]


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


def _child(cfg: BenchConfig, config: dict[str, Any], out_dir: Path, conn: Connection) -> None:
    from harness.runner import run_and_record

    record = run_and_record(cfg, config, out_dir)
    conn.send(record.run_id)
    conn.close()


def _signal_text(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"exited with status {exitcode} before writing its record"
    name = signal.Signals(-exitcode).name
    hint = " (the out-of-memory killer, or a user, killed it)" if name == "SIGKILL" else ""
    return f"crashed with {name}{hint}"


def _watch(proc: Any, timeout_s: float, cap_bytes: int | None) -> tuple[str, int]:
    """Wait for the child; return (why it was stopped or '', peak RSS in bytes)."""
    deadline, peak = time.monotonic() + timeout_s, 0
    while proc.is_alive():
        proc.join(POLL_S)
        try:
            peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
        except psutil.Error:
            continue
        if cap_bytes is not None and peak > cap_bytes:
            proc.kill()
            proc.join()
            return f"exceeded the memory cap of {cap_bytes >> 20} MiB", peak
        if time.monotonic() > deadline:
            proc.kill()
            proc.join()
            return f"timed out after {timeout_s:g} s (run_timeout_s)", peak
    return "", peak


def _received(receiver: Connection) -> str | None:
    """Return the run id the child sent, or None when it died first (EOF on the pipe)."""
    try:
        return receiver.recv() if receiver.poll() else None
    except (EOFError, OSError):
        return None


def run_isolated(cfg: BenchConfig, config: dict[str, Any], out_dir: Path) -> RunRecord:
    """Run in a child process; return its record, or a failed one saying how the child died."""
    from harness.records.io import read_record

    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(cfg, config, out_dir, sender), daemon=True)
    proc.start()
    sender.close()
    cap = cfg.memory_cap_mb * 2**20 if cfg.memory_cap_mb else None
    stopped, peak = _watch(proc, cfg.run_timeout_s, cap)
    run = RunBuilder(config, cfg.sweep)
    if not stopped and (run_id := _received(receiver)) is not None:
        return read_record(Path(out_dir) / f"{run_id}.json")
    reason = stopped or _signal_text(proc.exitcode)
    run.set(memory={"peak_rss_bytes": peak, "peak_rss_scope": "run process (sampled)"})
    record = run.finish(Status.failed, f"The run {reason}; the sweep goes on. "
                        "Rerun it alone with isolation=none to debug.", "RunProcessDied")
    write_record(out_dir, record)
    return record
