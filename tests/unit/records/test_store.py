"""The results store: records indexed on write, rebuilt from JSON, read by compare and history."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

pytest.importorskip("duckdb", reason="the results store needs the 'store' extra")

from harness.cli import dispatch  # noqa: E402
from harness.core.errors import ConfigError, ResultsError  # noqa: E402
from harness.records import store  # noqa: E402
from harness.report.history import points_from_runs, points_from_store, step_mark  # noqa: E402
from harness.report.load import load_runs  # noqa: E402
from harness.report.store_load import index_folder, load_store_runs, rebuild  # noqa: E402
from tests.unit.report.records_factory import make_record, write_records  # noqa: E402

# (runtime version, median ms): 1.21 is 30% slower than 1.20; 1.22 is the same as 1.21
VERSIONS = [("1.20", 1.0), ("1.21", 1.3), ("1.22", 1.3)]


def versioned(folder: Path) -> Path:
    """Write three runs per runtime version of one series, plus one other model's run."""
    records = []
    for day, (version, median_ms) in enumerate(VERSIONS):
        for seed in range(3):
            rec = make_record(median_ms=median_ms, seed=10 * day + seed)
            records.append(dataclasses.replace(
                rec, run_id=f"v{version}-{seed}", created_at=f"2026-01-0{day + 1}T00:00:0{seed}",
                backend={"name": "onnxruntime", "version": version},
                environment={"hostname": "box", "harness_commit": f"c{day}"}))
    records.append(make_record(model="vww", n=50))  # too few samples for a p99
    write_records(folder, records)
    assert index_folder(folder) == folder / store.STORE_NAME
    return folder


def test_the_store_gives_back_the_records(tmp_path: Path) -> None:
    folder = versioned(tmp_path / "r")
    runs = load_runs([folder])
    from_store = load_store_runs([folder])
    assert [r.path for r in from_store] == [r.path for r in runs]
    assert [r.record.scenario.summary for r in from_store] == \
        [r.record.scenario.summary for r in runs]


def test_rebuild_recreates_the_same_index(tmp_path: Path) -> None:
    folder = versioned(tmp_path / "r")
    before = points_from_store([folder], "p50", [])
    (folder / store.STORE_NAME).unlink()
    assert dispatch(["store", "rebuild", str(folder)]) == 0
    assert points_from_store([folder], "p50", []) == before
    count, _ = rebuild([folder], tmp_path / "all.duckdb")
    assert count == 10


def test_history_marks_the_slower_release_and_the_noise(tmp_path: Path) -> None:
    folder = versioned(tmp_path / "r")
    where = [("model", "resnet8")]
    points = points_from_store([folder], "p50", where)
    assert points == points_from_runs(load_runs([folder]), "p50", where)
    assert [p.version for p in points] == [("c0", "onnxruntime", "1.20"),
                                           ("c1", "onnxruntime", "1.21"),
                                           ("c2", "onnxruntime", "1.22")]
    assert [p.runs for p in points] == [3, 3, 3]
    marks = [step_mark(a, b) for a, b in zip([None, *points], points, strict=False)]
    assert marks[0] == "" and marks[1].startswith("slower ×1.3") and marks[2] == "≈ within noise"
    assert dispatch(["history", str(folder), "--where", "model=resnet8"]) == 0
    assert dispatch(["history", str(folder), "--json", "--metric", "p99"]) == 0


def test_history_names_valid_keys(tmp_path: Path) -> None:
    folder = versioned(tmp_path / "r")
    with pytest.raises(ConfigError, match="backend_version"):
        points_from_store([folder], "p50", [("backend_versoin", "1.2")])


def test_compare_reads_the_store(tmp_path: Path) -> None:
    folder = versioned(tmp_path / "r")
    assert dispatch(["compare", str(folder), "--quiet", "--out", str(tmp_path / "json")]) == 0
    assert dispatch(["compare", str(folder), "--quiet", "--store",
                     "--out", str(tmp_path / "db")]) == 0
    assert (tmp_path / "db/compare.csv").read_text() == (tmp_path / "json/compare.csv").read_text()


def test_no_store_says_how_to_build_one(tmp_path: Path) -> None:
    folder = write_records(tmp_path / "r", [make_record()])
    with pytest.raises(ResultsError, match="harness store rebuild"):
        dispatch(["history", str(folder)])


def test_an_unwritable_store_never_loses_a_record(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    folder = write_records(tmp_path / "r", [make_record()])
    (folder / store.STORE_NAME).mkdir()  # a folder where the store file should go
    assert index_folder(folder) is None
    assert "harness store rebuild" in capsys.readouterr().err
    assert len(load_runs([folder])) == 1


def test_deploy_reads_the_store(tmp_path: Path) -> None:
    dev = write_records(tmp_path / "dev", [make_record(median_ms=20.0, host="pi")])
    dc = write_records(tmp_path / "dc", [make_record(median_ms=0.5, host="srv")])
    assert index_folder(dev) and index_folder(dc)
    base = ["deploy", "--device", str(dev), "--datacenter", str(dc)]
    assert dispatch([*base, "--out", str(tmp_path / "json")]) == 0
    assert dispatch([*base, "--store", "--out", str(tmp_path / "db")]) == 0
    assert (tmp_path / "db/deployment.csv").read_text() == \
        (tmp_path / "json/deployment.csv").read_text()
