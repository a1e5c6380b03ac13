"""pytest-benchmark export (read back by the real `pytest-benchmark compare`); harness check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.benchmark_json import write_benchmark_json
from harness.report.load import load_runs
from harness.report.regression import parse_threshold
from tests.unit.report.records_factory import make_record, write_records


def test_pytest_benchmark_compare_reads_the_export(tmp_path: Path) -> None:
    folder = write_records(tmp_path / "r", [make_record(), make_record(quant="int8_static")])
    path = write_benchmark_json(load_runs([folder]), tmp_path)
    stats = json.loads(path.read_text())["benchmarks"][0]["stats"]
    assert stats["median"] == pytest.approx(1e-3, rel=0.02) and stats["rounds"] == 2000
    exe = Path(sys.executable).with_name("pytest-benchmark")
    done = subprocess.run([str(exe), "compare", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "resnet8-int8_static-cpu-single_stream" in done.stdout


def test_check_fails_on_regression(tmp_path: Path) -> None:
    base = write_records(tmp_path / "base", [make_record(median_ms=1.0)])
    same = write_records(tmp_path / "same", [make_record(median_ms=1.0, seed=3)])
    slow = write_records(tmp_path / "slow", [make_record(median_ms=1.3, seed=4)])
    for folder, code in ((same, 0), (slow, 1)):
        with pytest.raises(SystemExit) as exit_info:
            main(["check", str(folder), "--against", str(base), "--threshold", "10%"])
        assert exit_info.value.code == code


def test_threshold_parsing() -> None:
    assert parse_threshold("10%") == pytest.approx(0.1)
    assert parse_threshold("0.05") == pytest.approx(0.05)
