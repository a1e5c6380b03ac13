"""Run records round-trip through JSON atomically; bad files and folders give clear errors."""

import json
import os
from pathlib import Path

import pytest

from harness.core.errors import ResultsError
from harness.records.io import iter_records, read_record, write_record
from harness.records.schema import SCHEMA_VERSION, RunRecord, Status


def _record(run_id: str = "m-q-t-s", status: Status = Status.ok) -> RunRecord:
    cfg = {"model": {"name": "m"}, "quant": {"name": "q"}, "target": {"name": "t"},
           "scenario": {"name": "s"}}
    return RunRecord(run_id=run_id, sweep="x", status=status, config=cfg, config_hash="h",
                     created_at="2026-01-01T00:00:00+00:00", reason="why")


def test_round_trip(tmp_path: Path) -> None:
    path = write_record(tmp_path, _record())
    assert read_record(path) == _record()
    assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION


def test_no_temp_files_left(tmp_path: Path) -> None:
    write_record(tmp_path, _record())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-q-t-s.json"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = write_record(tmp_path, _record())
    data = json.loads(path.read_text())
    data["schema_version"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsError, match="newer than this harness"):
        read_record(path)


def test_truncated_record_is_reported(tmp_path: Path) -> None:
    path = write_record(tmp_path, _record())
    path.write_text(path.read_text()[:40])
    with pytest.raises(ResultsError, match="not a readable run record"):
        read_record(path)


def test_side_files_under_runs_are_not_records(tmp_path: Path) -> None:
    write_record(tmp_path, _record())
    side = tmp_path / "runs" / "m-q-t-s" / "trial_0"
    side.mkdir(parents=True)
    (side / "mlperf_log_trace.json").write_text("[]")
    assert [r.run_id for r in iter_records(tmp_path)] == ["m-q-t-s"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_folder(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ResultsError, match="results_dir"):
            write_record(tmp_path / "sub", _record())
    finally:
        tmp_path.chmod(0o700)


def test_unwritable_path_as_root(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ResultsError, match="Cannot write results"):
        write_record(blocker / "sweep", _record())
