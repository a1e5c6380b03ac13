"""The fresh process of one cold start: run as a script, it times itself from its first line.

`python -P cold_child.py JOB.json` (never `-m`, which would import the harness package first).
Until the runtime is imported it touches only the standard library, so the import phase is
the runtime's own. Marks are `time.perf_counter_ns()`, a system-wide monotonic clock on Linux
and macOS, so the parent's mark taken just before spawning this process is on the same clock.
"""

import time

T_START_NS = time.perf_counter_ns()

import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402


def main(job_path: str) -> None:
    """Import the runtime, load the artifact, run one inference; write the marks (ns) as JSON."""
    with open(job_path) as f:
        job = json.load(f)
    sys.path.insert(0, job["harness_root"])
    marks = {"start": T_START_NS, "job_read": time.perf_counter_ns()}
    for name in job["runtime_modules"]:
        importlib.import_module(name)
    marks["imported"] = time.perf_counter_ns()
    from harness.scenarios.cold_load import load_and_run

    marks.update(load_and_run(job))
    with open(job["result_path"], "w") as f:
        json.dump(marks, f)


if __name__ == "__main__":
    main(sys.argv[1])
