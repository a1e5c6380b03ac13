"""Run OpenVINO's `benchmark_app` as a subprocess (list argv, timeout) and parse its latency."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.core.errors import BackendUnavailable, MeasurementError

# benchmark_app's UI rejects -nthreads/-nstreams together with -hint latency, so the same
# settings go in through -load_config, exactly as our backend passes them to compile_model.
CPU_CONFIG = {"CPU": {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": "1",
                      "NUM_STREAMS": "1", "INFERENCE_PRECISION_HINT": "f32"}}
_LATENCY = re.compile(r"^\[ INFO \]\s+(Median|\d+ percentile):\s+([\d.]+)\s+(us|ms)\s*$")
_COUNT = re.compile(r"^\[ INFO \] Count:\s+(\d+) iterations")


def find_benchmark_app() -> Path:
    """Return the benchmark_app next to this Python, else on PATH; raise if neither exists."""
    local = Path(sys.executable).parent / "benchmark_app"
    found = local if local.is_file() else shutil.which("benchmark_app")
    if not found:
        raise BackendUnavailable("OpenVINO's benchmark_app is not installed.",
                                 "pip install openvino (it ships the benchmark_app script).")
    return Path(found)


def benchmark_argv(app: Path, model: Path, input_name: str, shape: tuple[int, ...],
                   duration_s: int, percentile: int, config: Path) -> list[str]:
    """Return the argv: CPU, latency hint, 1 thread / 1 stream / 1 request, sync, static shape."""
    dims = ",".join(str(d) for d in shape)
    return [str(app), "-m", str(model), "-d", "CPU", "-hint", "latency",
            "-load_config", str(config), "-nireq", "1", "-api", "sync",
            "-t", str(duration_s), "-latency_percentile", str(percentile),
            "-shape", f"{input_name}[{dims}]"]


def parse_latency_us(text: str) -> tuple[float, int | None]:
    """Return the reported percentile latency (µs) and the iteration count from the output."""
    latency, count = None, None
    for line in text.splitlines():
        if (m := _LATENCY.match(line.strip())) is not None:
            value = float(m.group(2))
            latency = value * 1000.0 if m.group(3) == "ms" else value
        elif (m := _COUNT.match(line.strip())) is not None:
            count = int(m.group(1))
    if latency is None:
        raise MeasurementError("benchmark_app printed no Median/percentile latency line.",
                               "Run the printed command by hand to see why.")
    return latency, count


def run_benchmark_app(model: Path, input_name: str, shape: tuple[int, ...], duration_s: int,
                      percentile: int, timeout_s: float) -> dict[str, object]:
    """Return {latency_us, iterations, percentile, argv} from one benchmark_app run."""
    app = find_benchmark_app()
    with tempfile.TemporaryDirectory(prefix="selfcheck-ov-") as tmp:
        config = Path(tmp) / "cpu_config.json"
        config.write_text(json.dumps(CPU_CONFIG))
        argv = benchmark_argv(app, model, input_name, shape, duration_s, percentile, config)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise MeasurementError(f"benchmark_app did not finish within {timeout_s:g} s.",
                                   "Check the machine's load, or raise the timeout.") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise MeasurementError(f"benchmark_app exited with {done.returncode}: {tail[0]}",
                               "Run it by hand with the same arguments to see the full log.")
    latency_us, count = parse_latency_us(done.stdout + "\n" + done.stderr)
    return {"latency_us": latency_us, "iterations": count, "percentile": percentile,
            "argv": argv[1:]}
