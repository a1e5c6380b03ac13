"""Pure parts of the self-check: verdicts, benchmark_app argv and parsing, table rendering."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from harness.core.errors import MeasurementError
from harness.selfcheck.benchmark_app import benchmark_argv, parse_latency_us
from harness.selfcheck.plan import FULL, QUICK, plan_for
from harness.selfcheck.render import selfcheck_table
from harness.selfcheck.rows import error_row, limit_row, ratio_row

OUTPUT = """[Step 11/11] Dumping statistics report
[ INFO ] Execution Devices:['CPU']
[ INFO ] Count:            4651 iterations
[ INFO ] Duration:         3000.24 ms
[ INFO ] Latency:
[ INFO ]    {label}:     {value} {unit}
[ INFO ]    Average:       612.80 us
[ INFO ] Throughput:   1550.21 FPS
"""


@pytest.mark.parametrize(("label", "value", "unit", "expected_us"), [
    ("Median", "243.84", "us", 243.84), ("90 percentile", "1.21", "ms", 1210.0)])
def test_parse_latency_reads_median_or_percentile_in_us(label: str, value: str, unit: str,
                                                        expected_us: float) -> None:
    latency_us, count = parse_latency_us(OUTPUT.format(label=label, value=value, unit=unit))
    assert latency_us == pytest.approx(expected_us) and count == 4651


def test_parse_latency_without_a_latency_line_is_an_error() -> None:
    with pytest.raises(MeasurementError):
        parse_latency_us("[ ERROR ] something broke")


def test_benchmark_argv_is_a_list_with_static_shape_and_one_request() -> None:
    argv = benchmark_argv(Path("ba"), Path("m.onnx"), "input", (1, 3, 32, 32), 5, 90,
                          Path("c.json"))
    assert argv[0] == "ba" and all(isinstance(a, str) for a in argv)
    pairs = dict(zip(argv[1::2], argv[2::2], strict=True))
    assert pairs["-shape"] == "input[1,3,32,32]" and pairs["-hint"] == "latency"
    assert pairs["-nireq"] == "1" and pairs["-latency_percentile"] == "90" and pairs["-t"] == "5"


def test_ratio_and_limit_rows_give_verdicts() -> None:
    assert ratio_row("x", 101.0, 100.0, "µs", 0.02).status == "PASS"
    assert ratio_row("x", 103.0, 100.0, "µs", 0.02).status == "FAIL"
    drifting = ratio_row("x", 130.0, 100.0, "µs", 0.02, pair_ratios=[0.99, 1.01, 1.6])
    assert drifting.status == "PASS" and drifting.ratio == pytest.approx(1.01)
    assert drifting.detail["ratio_of_medians"] == pytest.approx(1.3)
    assert limit_row("y", 1.9, 2.0, "µs").status == "PASS"
    assert limit_row("y", 2.0, 2.0, "µs").status == "FAIL"
    assert limit_row("y", 2.0, 2.0, "ms", reference=2.0, inclusive=True).status == "PASS"


def test_table_shows_fail_and_error_rows() -> None:
    rows = [ratio_row("a", 110.0, 100.0, "µs", 0.05).to_dict(),
            error_row("b", "benchmark_app missing").to_dict()]
    console = Console(width=200, record=True)
    console.print(selfcheck_table(rows, "t"))
    text = console.export_text()
    assert "FAIL" in text and "ERROR" in text and "benchmark_app missing" in text
    assert "1.100×" in text


def test_quick_plan_is_shorter_than_full() -> None:
    assert plan_for(True) is QUICK and plan_for(False) is FULL
    assert QUICK.openvino_repeats < FULL.openvino_repeats and FULL.loadgen_min_queries >= 1000


def test_ratio_rows_carry_the_interval_of_their_median() -> None:
    from harness.selfcheck.rows import info_row, median_ci

    assert median_ci([1.0, 1.1]) is None  # two pairs cannot bracket a median at 95%
    pairs = [0.95 + 0.005 * i for i in range(20)]
    low, high = median_ci(pairs)
    assert low < float(np.median(pairs)) < high and low >= pairs[0] and high <= pairs[-1]
    row = ratio_row("x", 100.0, 100.0, "µs", 0.03, pair_ratios=pairs)
    assert row.detail["ratio_ci95"] == [low, high]
    context = info_row("y", 110.0, 100.0, "µs", "context: binding", pair_ratios=pairs)
    assert context.status == "INFO" and context.target == "context: binding"
