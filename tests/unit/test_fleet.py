"""Per-host folders: records returned by jobs on other hosts land under <sweep>/<host>/ and
compare as one sweep with a host column."""

from __future__ import annotations

from pathlib import Path

from hydra.core.utils import JobReturn, JobStatus

from harness.records.env import fingerprint
from harness.records.io import write_record
from harness.report.compare import compare_rows
from harness.report.load import load_runs
from harness.run.fleet import bring_back, host_dir_name, job_output_dir, job_return
from tests.unit.report.records_factory import make_record


def _returned(value: object, status: JobStatus = JobStatus.COMPLETED) -> JobReturn:
    job = JobReturn(status=status)
    job._return_value = value
    return job


def test_host_dir_name_is_file_name_safe() -> None:
    assert host_dir_name("jetson-orin-01.lab") == "jetson-orin-01.lab"
    assert host_dir_name("a b/c") == "a_b_c"
    assert host_dir_name("") == "unknown-host"


def test_job_output_dir_and_return_value(tmp_path: Path) -> None:
    record = make_record()
    assert job_output_dir(tmp_path, False) == tmp_path
    assert job_output_dir(tmp_path, True) == tmp_path / host_dir_name(fingerprint()["hostname"])
    assert job_return(record, False) == "ok"
    assert job_return(record, True)["run_id"] == record.run_id


def test_records_from_other_hosts_are_written_per_host_and_compared(tmp_path: Path) -> None:
    here = make_record(host="laptop")
    write_record(tmp_path / "laptop", here)  # a job on the driver's disk: already there
    there = [make_record(host="jetson-01", median_ms=3.0, seed=1),
             make_record(host="jetson-02", median_ms=3.1, seed=2)]
    returns = [_returned(here.to_dict()), *(_returned(r.to_dict()) for r in there),
               _returned("ok"), _returned(None, JobStatus.FAILED)]
    written = bring_back(tmp_path, returns)
    assert sorted(p.relative_to(tmp_path).parts[0] for p in written) == ["jetson-01", "jetson-02"]
    assert [job.return_value for job in returns[:3]] == ["ok"] * 3  # records released
    returns = [_returned(r.to_dict()) for r in (here, *there)]
    assert bring_back(tmp_path, returns) == []  # already there

    rows = compare_rows(load_runs([tmp_path]), [("host", "laptop")])
    assert sorted(r["host"] for r in rows) == ["jetson-01", "jetson-02", "laptop"]
    assert {r["baseline"] for r in rows} == {"cpu@laptop fp32"}
    assert sorted(round(r["p50_x"]) for r in rows) == [1, 3, 3]
