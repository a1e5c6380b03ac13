"""Compare: join, baseline choice, ratios and the within-noise mark, on synthetic records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.core.errors import ConfigError
from harness.report.compare import NOISE_MARK, compare_rows
from harness.report.compare_render import display_rows
from harness.report.load import load_runs, strip_latencies
from harness.report.select import baseline_pairs, filter_runs, lookup, parse_pairs
from tests.unit.report.records_factory import make_record, write_records


@pytest.fixture()
def two_hosts(tmp_path: Path) -> tuple[Path, Path]:
    a = write_records(tmp_path / "a", [make_record(target="cpu", median_ms=1.0, host="a"),
                                       make_record(quant="int8_static", median_ms=0.5, host="a")])
    b = write_records(tmp_path / "b", [make_record(target="cpu", median_ms=2.0, host="b", seed=1),
                                       make_record(target="cpu", quant="int8_static",
                                                   median_ms=0.5, host="b", seed=2)])
    return a, b


def test_strip_latencies_keeps_the_rest() -> None:
    text = '{"scenario": {"latencies_ns": [1, 2,\n 3], "x": 1}}'
    assert strip_latencies(text) == '{"scenario": {"latencies_ns": [], "x": 1}}'


def test_lookup_aliases_and_dotted_keys(two_hosts: tuple[Path, Path]) -> None:
    run = load_runs([two_hosts[0]])[0]
    assert lookup(run, "quant") == lookup(run, "quant.name")
    assert lookup(run, "host") == "a"
    assert lookup(run, "status") == "ok"
    assert lookup(run, "no.such.key") is None
    assert run.record.scenario.latencies_ns == []


def test_where_filters(two_hosts: tuple[Path, Path]) -> None:
    runs = load_runs(two_hosts)
    assert len(filter_runs(runs, parse_pairs(["quant.name=int8_static"], "--where"))) == 2
    with pytest.raises(ConfigError, match="key=value"):
        parse_pairs(["quant"], "--where")


def test_ratios_against_a_folder_baseline(two_hosts: tuple[Path, Path]) -> None:
    a, b = two_hosts
    rows = compare_rows(load_runs([a, b]), baseline_pairs(str(a)))
    by = {(r["quant"], r["host"]): r for r in rows}
    assert by[("fp32", "b")]["p50_x"] == pytest.approx(2.0, rel=0.02)
    assert not by[("fp32", "b")]["p50_x_noise"]
    assert by[("int8_static", "b")]["p50_x"] == pytest.approx(1.0, rel=0.02)
    assert by[("int8_static", "b")]["p50_x_noise"]  # same distribution: CIs overlap
    shown = {(r["quant"], r["host"]): r for r in display_rows(rows)}
    assert NOISE_MARK in shown[("int8_static", "b")]["p50_x"]


def test_baseline_key_is_dropped_from_the_join(two_hosts: tuple[Path, Path]) -> None:
    rows = compare_rows(load_runs([two_hosts[0]]), [("quant", "fp32")])
    int8 = next(r for r in rows if r["quant"] == "int8_static")
    assert int8["p50_x"] == pytest.approx(0.5, rel=0.02)


def test_cli_writes_markdown_and_csv(two_hosts: tuple[Path, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(two_hosts[0]), str(two_hosts[1]), "--out", str(tmp_path / "o"),
              "--group-by", "target.name"])
    assert exit_info.value.code == 0
    assert "p50 ×base" in (tmp_path / "o" / "compare.md").read_text()
    assert "p50_lo_ms" in (tmp_path / "o" / "compare.csv").read_text()
    assert "target.name = cpu" in capsys.readouterr().out


def test_int8_time_column_and_note_from_the_profile_section(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = "72% of the time in fp32 ops: Resize, Sigmoid, Concat ran without an int8 kernel"
    folder = write_records(tmp_path / "r", [
        make_record(), make_record(quant="int8_static", median_ms=1.2, seed=1,
                                   profile={"int8_fraction": 0.28, "int8_note": note})])
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(folder), "--baseline", "quant=fp32"])
    assert exit_info.value.code == 0
    shown = display_rows(compare_rows(load_runs([folder]), [("quant", "fp32")]))
    assert [r["int8"] for r in shown] == ["", "28%"]
    markdown = (folder / "compare.md").read_text()
    assert "int8 time" in markdown and f"resnet8/int8_static/cpu: int8: {note}" in markdown
    assert note in capsys.readouterr().out


def test_an_int8_row_slower_than_fp32_without_a_profile_note_gets_one(
        tmp_path: Path) -> None:
    # rapidocr_cls_v2 on OpenVINO, 2026-12-07: 93% int8, 1.24x fp32's p50, no int8_note
    folder = write_records(tmp_path / "r", [
        make_record(median_ms=0.80), make_record(quant="int8_static", median_ms=1.0, seed=1,
                                                 profile={"int8_fraction": 0.93})])
    with pytest.raises(SystemExit):
        main(["compare", str(folder), "--baseline", "quant=fp32"])
    markdown = (folder / "compare.md").read_text()
    assert re.search(r"resnet8/int8_static/cpu: int8: slower than fp32 \((1|0\.99\d) vs "
                     r"(0\.8|0\.79\d) ms\) with 93% of its time in int8 kernels", markdown)
    assert "its int8 kernels alone take longer than the whole fp32 run" in markdown


def test_cli_missing_folder_says_what_to_do(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(tmp_path / "nope")])
    assert exit_info.value.code == 2
    assert "harness-bench" in capsys.readouterr().err
