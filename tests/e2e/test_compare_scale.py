"""Scale: `harness compare`'s time grows linearly with the number of records.

Measured as a ratio side by side in one run (a small and a 10× larger folder), not against a
wall-clock budget: this machine is shared, and an absolute time says more about its load than
about the code."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.records.io import write_record
from tests.unit.report.records_factory import make_record

pytestmark = pytest.mark.slow
RECORDS = 2_000
SMALL = RECORDS // 10
MAX_RATIO = 20.0  # linear is 10x for 10x the records; quadratic would be 100x


def generate(folder: Path, count: int = RECORDS, samples: int = 1000) -> Path:
    """Write `count` realistic records (1000 raw latencies each) across hosts and targets."""
    models, quants = ("resnet8", "kws", "vww", "digits", "autoencoder"), ("fp32", "int8_static")
    for i in range(count):
        record = make_record(model=models[i % 5], quant=quants[i // 5 % 2],
                             target=f"t{i // 10 % 20}", host=f"h{i // 200}",
                             median_ms=0.1 + (i % 97) / 100, n=samples, seed=i % 50)
        write_record(folder / f"h{i // 200}", record)
    return folder


def _compare_s(folder: Path, out: Path, count: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("harness")), "compare",
                           str(folder), "--quiet", "--out", str(out),
                           "--baseline", "target=t0"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert f"{count} runs compared" in done.stderr
    return elapsed


def test_compare_time_grows_linearly_with_records(tmp_path: Path) -> None:
    small = _compare_s(generate(tmp_path / "small", SMALL), tmp_path / "o1", SMALL)
    large = _compare_s(generate(tmp_path / "large", RECORDS), tmp_path / "o2", RECORDS)
    print(f"\ncompare: {SMALL} records {small:.2f} s, {RECORDS} records {large:.2f} s "
          f"({large / small:.1f}x for {RECORDS // SMALL}x the records)")
    assert large / small < MAX_RATIO
