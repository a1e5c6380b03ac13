"""Hostile report inputs: bad claim files, unknown metrics, mathtext names, formula cells.

Records come from one real run (digits, in-process); names are then made hostile in the JSON,
as a record copied from another machine could be. Each input gives a one-line error (exit 2)
or a report that renders, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.render import csv_safe, csv_text
from harness.run.job import run_composed
from tests.faults.conftest import FAST, compose_config

HOSTILE_NAME = r"$\foo$"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """A results folder with one ok digits record whose names are mathtext and formulas."""
    out = tmp_path_factory.mktemp("hostile-report") / "results"
    record = run_composed(compose_config("model=digits", f"cache_dir={cache_dir}", *FAST), out)
    path = out / f"{record.run_id}.json"
    data = json.loads(path.read_text())
    data["config"]["model"]["name"] = HOSTILE_NAME
    data["config"]["quant"]["name"] = "=HYPERLINK(\"http://x\",\"y\")"
    data["config"]["target"]["name"] = "$x^{$"
    path.write_text(json.dumps(data))
    return out


def _main(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code, capsys.readouterr().err


# (claims YAML, words the one-line error must contain)
BAD_CLAIMS = [
    ("claims:\n  - {id: c, metric: p50_ms, op: '<=', bound: .nan, match: {model: digits}}\n",
     ["bound", "finite"]),
    ("claims:\n  - {id: c, metric: p50_ms, op: '<=', bound: .inf, match: {}}\n", ["bound"]),
    ("claims:\n  - {id: c, metric: p50_ms, op: '<=', match: {}}\n", ["bound"]),
    ("claims:\n  - {id: c, metric: p50_ms, op: '<=', bound: 1, match: digits}\n",
     ["match", "'digits'", "mapping"]),
    ("claims:\n  - {id: c, metric: p50_ms, op: '<=', bound: 1, match: {modle: digits}}\n",
     ["'modle'", "Did you mean 'model'", "quant.name"]),
    ("claims:\n  - {id: c, metric: p50_ms, op: '<=', bound: 1, match: {model.nme: x}}\n",
     ["'model.nme'", "Did you mean 'model.name'"]),
    ("claims: just-a-string\n", ["malformed"]),
]


@pytest.mark.parametrize(("text", "words"), BAD_CLAIMS, ids=[w[0] for _, w in BAD_CLAIMS])
def test_bad_claims_are_one_line_errors(results: Path, tmp_path: Path, text: str,
                                        words: list[str], capsys) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(text)
    code, err = _main(["claims", str(claims), str(results)], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


def test_a_known_match_key_still_judges(results: Path, tmp_path: Path, capsys) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("claims:\n  - {id: c, metric: p50_ms, op: '<=', bound: 1000, "
                      "match: {target.threads: null, host: nowhere}}\n")
    code, err = _main(["claims", str(claims), str(results)], capsys)
    assert code == 3, err  # no run on host 'nowhere': INCONCLUSIVE, not an error


@pytest.mark.parametrize("metric", ["p42", "latency", ""])
def test_unknown_check_metric_is_named(results: Path, metric: str, capsys) -> None:
    code, err = _main(["check", str(results), "--against", str(results), "--metric", metric],
                      capsys)
    assert code == 2 and f"Unknown --metric '{metric}'" in err and "p99" in err, err


def test_html_report_renders_mathtext_names(results: Path, tmp_path: Path, capsys) -> None:
    code, err = _main(["compare", str(results), "--out", str(tmp_path), "--html", "--quiet"],
                      capsys)
    assert code == 0, err
    page = (tmp_path / "report.html").read_text()
    assert "<svg" in page and "$\\foo$" in page


def test_compare_csv_neutralises_formula_cells(results: Path, tmp_path: Path, capsys) -> None:
    code, err = _main(["compare", str(results), "--out", str(tmp_path), "--quiet"], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "compare.csv").read_text())))
    assert rows[0]["quant"].startswith("'=HYPERLINK")
    assert rows[0]["model"] == HOSTILE_NAME


CELLS = [("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
         ("\tx", "'\tx"), ("\rx", "'\rx"), ("-inf", "'-inf"), ("-0.5", "-0.5"), ("+3", "+3"),
         ("-1e-3", "-1e-3"), (-0.5, -0.5), (None, None), ("plain", "plain"), ("a=b", "a=b")]


@pytest.mark.parametrize(("value", "safe"), CELLS, ids=[repr(v) for v, _ in CELLS])
def test_csv_cells_are_formula_safe_and_numbers_stay_numbers(value, safe) -> None:
    assert csv_safe(value) == safe
    (row,) = csv.DictReader(io.StringIO(csv_text([{"cell": value}]), newline=""))
    assert row["cell"] == ("" if safe is None else str(safe))
