"""No run outlives its sweep: the fork server and each run process die with their parent.

The chain, checked by tests/faults/test_run_control.py and scripts/kill_probe.py: the sweep's
main process starts the fork server, which forks one process per run. On Linux both set
PR_SET_PDEATHSIG (SIGKILL), so when the main process dies, even by SIGKILL, the kernel kills
the fork server, and its death kills the run. Elsewhere the run process polls the main
process's pid from a thread; the fork server then exits when the main process's pipe to it
closes (the run process closes its inherited copy of that pipe, which would keep it open).

Importing this module is what arms the fork server (it is the server's first preload): it
acts only in a process whose parent put its own pid in $EDGE_HARNESS_FORKSERVER_PARENT.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PARENT_ENV = "EDGE_HARNESS_FORKSERVER_PARENT"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def kill_me_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def alive(pid: int) -> bool:
    """Return whether process `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _poll(pid: int) -> None:
    while alive(pid):
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)


def drop_forkserver_pipe() -> None:
    """Close this run process's copy of the main process's keep-alive pipe to the fork server."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    try:
        if server._forkserver_alive_fd is not None:
            os.close(server._forkserver_alive_fd)
        server._forkserver_alive_fd = server._forkserver_pid = server._forkserver_address = None
    except (AttributeError, OSError):
        pass


def run_dies_with(main_pid: int) -> str:
    """In a run process: die when the fork server or the sweep's main process dies; say how."""
    drop_forkserver_pipe()
    if kill_me_with_parent():
        if os.getppid() == 1 or not alive(main_pid):  # gone before prctl took hold
            os._exit(1)
        return "pdeathsig"
    threading.Thread(target=_poll, args=(main_pid,), daemon=True, name="main-watch").start()
    return "watchdog"


def _arm_forkserver() -> None:
    expected = os.environ.get(PARENT_ENV, "")
    if expected == str(os.getppid()) and kill_me_with_parent() and os.getppid() != int(expected):
        os._exit(1)  # the main process died before prctl took hold


_arm_forkserver()
