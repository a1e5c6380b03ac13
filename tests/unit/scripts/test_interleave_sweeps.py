"""scripts/interleave_sweeps.sh and scripts/sweep_compare.py on two stand-in checkouts whose
`harness-bench` writes a real run record per sweep (the sweeps themselves take minutes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.unit.report.records_factory import make_record, write_records

ROOT = Path(__file__).resolve().parents[3]
#: A checkout's .venv/bin/harness-bench: writes one record whose p50 is this side's, and logs
#: its command line to the checkout's calls.log.
BENCH = """#!{python}
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.unit.report.records_factory import make_record, write_records
args = dict(a.split("=", 1) for a in sys.argv[1:])
here = Path(__file__).resolve().parents[2]
with open(here / "calls.log", "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
write_records(Path(args["results_dir"]), [make_record(median_ms={median_ms})])
"""


def checkout(path: Path, median_ms: float) -> Path:
    """Return a stand-in checkout: .venv with a python and a harness-bench, and the scripts."""
    bin_dir = path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    bench = bin_dir / "harness-bench"
    bench.write_text(BENCH.format(python=sys.executable, root=str(ROOT), median_ms=median_ms))
    bench.chmod(0o755)
    (path / "scripts").symlink_to(ROOT / "scripts")
    return path


def interleave(tmp_path: Path, after_ms: float, order: str) -> subprocess.CompletedProcess:
    """Return the finished script run, before at 1.0 ms and after at `after_ms`."""
    before, after = checkout(tmp_path / "a", 1.0), checkout(tmp_path / "b", after_ms)
    env = {**os.environ, "AFTER_OVERRIDES": "quant.quantiser=onnxruntime"}
    return subprocess.run(["bash", str(ROOT / "scripts" / "interleave_sweeps.sh"), str(before),
                           str(after), str(tmp_path / "out"), order], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_sweeps_run_in_the_given_order_and_only_the_after_side_gets_the_overrides(
        tmp_path: Path) -> None:
    done = interleave(tmp_path, 1.0, "wA wB A1 B1 B2 A2")
    assert done.returncode == 0, done.stderr
    labels = [line.split()[1] for line in done.stdout.splitlines()
              if not line.startswith("compare")]
    assert labels == ["wA", "wB", "A1", "B1", "B2", "A2"]
    before_calls = (tmp_path / "a" / "calls.log").read_text().splitlines()
    after_calls = (tmp_path / "b" / "calls.log").read_text().splitlines()
    assert [c.split("results_dir=")[1].split()[0].rsplit("/", 1)[1] for c in before_calls] == \
        ["wA", "A1", "A2"]
    assert all(c.endswith("quant.quantiser=onnxruntime") for c in after_calls)
    assert not any("quant.quantiser" in c for c in before_calls)
    compare = (tmp_path / "out" / "compare.md").read_text()
    assert "1 cells, 0 moved" in compare and "1.000" in compare  # warm-ups are not compared


def test_a_cell_that_moved_is_reported_and_fails_the_comparison(tmp_path: Path) -> None:
    done = interleave(tmp_path, 1.5, "A1 B1 B2 A2")
    assert done.returncode == 0, done.stderr
    assert "compare rc=1" in done.stdout
    assert "MOVED" in (tmp_path / "out" / "compare.md").read_text()


def test_sweep_compare_holds_a_cell_whose_intervals_overlap(tmp_path: Path) -> None:
    before = write_records(tmp_path / "before", [make_record(median_ms=1.0)])
    after = write_records(tmp_path / "after", [make_record(median_ms=1.001, seed=1)])
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "sweep_compare.py"),
                           str(before), str(after)], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intervals overlap" in done.stdout
