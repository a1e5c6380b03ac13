"""Scale: `harness compare` over 10,000 generated records must finish in under 10 s."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.records.io import write_record
from tests.unit.report.records_factory import make_record

pytestmark = pytest.mark.slow
RECORDS = 10_000
BUDGET_S = 10.0


def generate(folder: Path, count: int = RECORDS, samples: int = 1000) -> Path:
    """Write `count` realistic records (1000 raw latencies each) across hosts and targets."""
    models, quants = ("resnet8", "kws", "vww", "digits", "autoencoder"), ("fp32", "int8_static")
    for i in range(count):
        record = make_record(model=models[i % 5], quant=quants[i // 5 % 2],
                             target=f"t{i // 10 % 20}", host=f"h{i // 200}",
                             median_ms=0.1 + (i % 97) / 100, n=samples, seed=i % 50)
        write_record(folder / f"h{i // 200}", record)
    return folder


def test_compare_10000_records_under_10_s(tmp_path: Path) -> None:
    folder = generate(tmp_path / "results")
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("harness")), "compare",
                           str(folder), "--quiet", "--out", str(tmp_path / "o"),
                           "--baseline", "target=t0"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert f"{RECORDS} runs compared" in done.stderr
    print(f"\ncompare over {RECORDS} records: {elapsed:.2f} s wall ({done.stderr.strip()})")
    assert elapsed < BUDGET_S
