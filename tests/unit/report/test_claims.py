"""Claims: PASS / FAIL / INCONCLUSIVE decided on intervals; exit status reflects them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.core.errors import ConfigError
from harness.report.claims import judge, load_claims, wilson
from harness.report.load import load_runs
from tests.unit.report.records_factory import make_record, write_records

CLAIMS = """
claims:
  - {id: fast, metric: p90_ms, op: "<=", bound: 2.0, match: {model: resnet8, quant: int8_static}}
  - {id: faster, metric: p90_ms, op: "<=", bound: 0.2, match: {model: resnet8, quant: int8_static}}
  - {id: edge, metric: p50_ms, op: "<=", bound: 1.0, match: {model: resnet8, quant: int8_static}}
  - {id: joules, metric: energy_uj_per_inference, op: "<=", bound: 1e9, match: {model: digits}}
  - {id: acc, metric: accuracy_rel_fp32, op: ">=", bound: 0.9, match: {quant: int8_static}}
  - {id: none, metric: p50_ms, op: "<=", bound: 1, match: {model: vww}}
"""


@pytest.fixture()
def runs(tmp_path: Path) -> list:
    task = {"value": 0.98, "fp32_reference": 0.985, "samples": 2000}
    folder = write_records(tmp_path / "r", [
        make_record(quant="int8_static", median_ms=1.0, task=task),
        make_record(model="digits", provenance="estimated"),
    ])
    return load_runs([folder])


def test_verdicts_follow_the_interval(runs: list, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CLAIMS)
    verdicts = {c.id: judge(c, runs)[0] for c in load_claims(path)}
    assert verdicts == {"fast": "PASS", "faster": "FAIL", "edge": "INCONCLUSIVE",
                        "joules": "INCONCLUSIVE", "acc": "PASS", "none": "INCONCLUSIVE"}


def test_exit_status(runs: list, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CLAIMS)
    with pytest.raises(SystemExit) as exit_info:
        main(["claims", str(path), str(runs[0].folder)])
    assert exit_info.value.code == 1


def test_bad_metric_lists_valid_ones(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("claims: [{id: x, metric: speed, op: '<=', bound: 1}]")
    with pytest.raises(ConfigError, match="p90_ms"):
        load_claims(path)


def test_wilson_brackets_the_proportion() -> None:
    low, high = wilson(0.99, 450)
    assert low < 0.99 < high and high - low < 0.03
