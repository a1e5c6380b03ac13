"""Generative records in the results table, `harness compare` and `harness deploy`, beside
tensor records (hand-built generative records, real statistics)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rich.console import Console

from harness.cli import main
from harness.records.schema import Status
from harness.report.compare import compare_rows
from harness.report.load import load_runs
from harness.report.summary import write_summary
from tests.unit.report.gen_records_factory import make_gen_record, traces
from tests.unit.report.records_factory import make_record, write_records

FAST = traces([10 + i for i in range(40)], 5.0, 8)  # TPOT 5 ms
SLOW = traces([30 + i for i in range(40)], 20.0, 8)  # TPOT 20 ms


def test_a_mixed_sweep_renders_in_120_columns_with_uniform_csv(tmp_path: Path) -> None:
    folder = write_records(tmp_path / "r", [
        make_record(), make_gen_record({1: FAST}, scenario="single_stream", run_id="g1"),
        make_gen_record(scenario="single_stream", status=Status.failed, run_id="g2")])
    console = Console(file=io.StringIO(), width=120, color_system=None)
    write_summary(folder, console)
    assert max(map(len, console.file.getvalue().splitlines())) <= 120
    md = (folder / "summary.md").read_text()
    assert "| transformers | 16/8 | 30 [" in md  # engine, in/out, TTFT p50 (10..49 ms)
    assert "| failed |  |  |  |  |  |  |  |" in md  # no tensor figures for a generative run
    assert "it broke" in md and "resnet8" in md
    rows = list(csv.DictReader(io.StringIO((folder / "summary.csv").read_text())))
    assert len(rows) == 3 and rows[0].keys() == rows[2].keys()
    gen = next(r for r in rows if r["model"] == "tiny_llm" and r["status"] == "ok")
    assert gen["scenario"] == "gen_single_stream" and gen["tokens_per_s"]
    assert gen["energy_mj_per_inf"] == ""  # per-token energy is in its own column


def test_compare_gives_tokens_per_s_ratios_against_fp32(tmp_path: Path) -> None:
    runs = load_runs([write_records(tmp_path / "r", [
        make_gen_record({1: SLOW}, scenario="single_stream", run_id="ref"),
        make_gen_record({1: FAST}, scenario="single_stream", run_id="int4",
                        backend={"weight_format": "int4"}, engine="ort_genai")])])
    rows = {r["run_id"]: r for r in compare_rows(runs, [("quant", "fp32")])}
    assert rows["int4"]["baseline"].endswith("fp32")
    expected = rows["int4"]["tokens_per_s"] / rows["ref"]["tokens_per_s"]
    assert rows["int4"]["tokens_per_s_x"] == pytest.approx(expected)
    assert rows["int4"]["tpot_p50_x"] == pytest.approx(0.25)
    assert rows["int4"]["tpot_p50_x_noise"] is False and rows["int4"]["p50_x"] is None


def test_deploy_puts_a_remote_run_beside_the_device_and_keeps_tensor_pairs(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    device = write_records(tmp_path / "dev", [
        make_record(), make_gen_record({1: SLOW}, scenario="single_stream", run_id="dev")])
    remote = write_records(tmp_path / "dc", [
        make_record(median_ms=0.2, target="gpu"),
        make_gen_record({1: FAST}, scenario="single_stream", target="remote", engine="openai",
                        run_id="dc", energy_j=None)])
    with pytest.raises(SystemExit) as exit_info:
        main(["deploy", "--device", str(device), "--datacenter", str(remote),
              "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 0
    md = (tmp_path / "out" / "deployment.md").read_text()
    assert "| device | cpu | transformers |" in md and "| datacenter | remote | openai |" in md
    assert "TPOT p50: datacenter (remote) better by 4×" in md
    assert "resnet8" in md and "cloud_fixed" in md  # the tensor comparison is still there


def test_deploy_with_generative_runs_of_other_models_says_what_to_do(tmp_path: Path) -> None:
    device = write_records(tmp_path / "dev", [make_gen_record(scenario="single_stream")])
    remote = write_records(tmp_path / "dc", [make_gen_record(scenario="single_stream",
                                                             model="other_llm")])
    with pytest.raises(SystemExit) as exit_info:
        main(["deploy", "--device", str(device), "--datacenter", str(remote)])
    assert exit_info.value.code == 2
