"""Reports on real generative records (a tiny 2-layer model run by the real CLI): claims judged
at a users level, the results table, `harness compare` and `harness deploy`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from harness.cli import main
from harness.report.claims import Claim, judge
from harness.report.load import load_runs
from harness.report.summary import write_summary
from tests.e2e.conftest import bench
from tests.e2e.gen_tiny import LENGTHS, TINY
from tests.unit.report.records_factory import make_record, write_records

pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of one real run: a 1- and 4-user concurrency sweep, 36 requests per
    level (enough for a p90 interval)."""
    tmp = tmp_path_factory.mktemp("gen")
    proc = bench(tmp, *TINY, *LENGTHS, "scenario=gen_concurrency", "generative.prompts.requests=36",
                 "generative.scenario.users=[1,4]")
    folders = [p.parent for p in (tmp / "results").rglob("summary.md")]
    assert folders, proc.stderr[-3000:]
    return folders[0]


def _record(folder: Path, scenario: str) -> dict:
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text())
        if f"-gen_{scenario}-" in data.get("run_id", ""):
            return data
    raise AssertionError(f"no {scenario} record in {folder}")


def test_claims_at_a_users_level_use_that_levels_requests(sweep: Path) -> None:
    record = _record(sweep, "concurrency")
    assert record["status"] == "ok", record["reason"]
    level4 = next(level for level in record["generative"]["levels"] if level["users"] == 4)
    runs = load_runs([sweep])
    match = {"model": "smollm2_135m", "engine": "transformers", "weight_format": "fp32",
             "scenario": "gen_concurrency", "users": 4}
    verdict, evidence = judge(Claim("t", "tokens_per_s", ">=", 1.0, match), runs)
    assert verdict == "PASS" and len(evidence) == 1
    assert evidence[0].value == pytest.approx(level4["system_output_tokens_per_s"])
    _, evidence = judge(Claim("t", "ttft_p50_ms", "<=", 1e6, match), runs)
    assert evidence[0].value == pytest.approx(level4["ttft_p50_ns"] / 1e6)
    p90 = judge(Claim("t", "ttft_p90_ms", "<=", 1e6, match), runs)[1][0]
    assert p90.verdict == "PASS" and p90.low <= p90.value <= p90.high
    mid = (p90.low + p90.high) / 2
    straddle = judge(Claim("t", "ttft_p90_ms", "<=", mid, match), runs)[0]
    assert straddle == ("INCONCLUSIVE" if p90.low < mid < p90.high else "PASS")
    assert judge(Claim("t", "ttft_p90_ms", "<=", p90.low / 2, match), runs)[0] == "FAIL"


def test_the_claims_cli_judges_the_shipped_example_shape(sweep: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    claims = tmp_path / "c.yaml"
    claims.write_text(
        "claims:\n"
        "  - {id: fast, metric: tokens_per_s, op: '>=', bound: 1, match: {model: smollm2_135m,"
        " scenario: gen_concurrency, users: 4}}\n"
        "  - {id: energy, metric: j_per_output_token, op: '<=', bound: 100, match: {model: "
        "smollm2_135m}}\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["claims", str(claims), str(sweep)])
    out = capsys.readouterr().out
    assert exit_info.value.code == 3  # energy is estimated here: inconclusive, never PASS
    assert "PASS" in out and "energy is estimated" in out


def test_the_results_table_shows_generative_columns_in_120_columns(sweep: Path,
                                                                    tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    shutil.copytree(sweep, mixed)
    write_records(mixed, [make_record()])  # a tensor run in the same sweep
    for folder in (sweep, mixed):
        console = Console(file=io.StringIO(), width=120, color_system=None)
        write_summary(folder, console)
        lines = console.file.getvalue().splitlines()
        assert max(map(len, lines)) <= 120
        text = "\n".join(lines)
        assert "TTFT" in text and "smollm2_135m" in text
        md = (folder / "summary.md").read_text()
        assert "| gen_concurrency |" in md and "16/8" in md and "(est.)" in md
    assert "resnet8" in (mixed / "summary.md").read_text()


def test_compare_shows_tokens_per_s_and_ratios(sweep: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"  # the same run as a second folder: the baseline
    shutil.copytree(sweep, other)
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(sweep), str(other), "--out", str(tmp_path), "--quiet"])
    assert exit_info.value.code == 0
    md = (tmp_path / "compare.md").read_text()
    assert "TTFT p50 ms [95% CI]" in md and "p90 ms" not in md
    assert "| 1× ≈ |" in md  # tok/s ×base against the same run: within noise
    header = (tmp_path / "compare.csv").read_text().splitlines()[0].split(",")
    assert {"ttft_p50", "tpot_p50_lo", "tokens_per_s", "j_per_token"} <= set(header)


def test_deploy_puts_device_and_remote_side_by_side(sweep: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    remote = tmp_path / "remote"  # any results folder can stand in for the datacenter side
    remote.mkdir()
    for path in sweep.glob("*gen_concurrency*.json"):
        shutil.copy(path, remote / path.name)
    with pytest.raises(SystemExit) as exit_info:
        main(["deploy", "--device", str(sweep), "--datacenter", str(remote),
              "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 0
    md = (tmp_path / "out" / "deployment.md").read_text()
    assert "| device |" in md and "| datacenter |" in md and "TPOT p50" in md
    assert "within noise" in md  # the same record on both sides
