"""Typed record sections: checked on write and read, flat on disk, v1 records upgraded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.core.errors import ResultsError
from harness.records.builder import RunBuilder
from harness.records.io import read_record, write_record
from harness.records.schema import RunRecord, Status
from harness.records.sections import EnergySection, ScenarioSection
from harness.records.upgrade import SCHEMA_VERSION, upgrade
from tests.unit.report.records_factory import make_record

CONFIG = {"model": {"name": "m"}, "quant": {"name": "fp32"}, "target": {"name": "cpu"},
          "scenario": {"name": "single_stream"}}


def test_sections_are_typed_and_keep_every_other_key(tmp_path: Path) -> None:
    record = make_record(median_ms=2.0)
    path = write_record(tmp_path, record)
    back = read_record(path)
    assert isinstance(back.scenario, ScenarioSection) and isinstance(back.energy, EnergySection)
    p50 = back.scenario.percentile("p50")
    assert p50 is not None and p50.ci_low_ns <= p50.value_ns <= p50.ci_high_ns
    assert abs(p50.value_ns / 1e6 - 2.0) < 0.1
    assert back.energy.interval(1e3) == pytest.approx((10.0, 9.5, 10.5))
    assert back.model.get("num_classes") == 10 and back.model.num_classes == 10
    assert back.to_dict() == record.to_dict()  # lossless round trip, flat layout
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION == 2
    assert set(data["scenario"]) >= {"latencies_ns", "summary", "throughput_sps"}


def test_untyped_keys_round_trip_in_more() -> None:
    section = EnergySection.from_dict({"gross_j_per_inference": 1e-3, "readings": [1, 2],
                                       "net_j_per_inference": None})
    assert section.more == {"readings": [1, 2]}
    assert section.to_dict() == {"gross_j_per_inference": 1e-3, "net_j_per_inference": None,
                                 "readings": [1, 2]}  # an explicit None stays in the file


@pytest.mark.parametrize(("section", "value"), [
    ("scenario", {"throughput_sps": "fast"}), ("energy", {"provenance": 3}),
    ("memory", {"peak_rss_bytes": 1.5}), ("scenario", {"compliant": 1}),
    ("scenario", {"summary": {"count": 1}}), ("energy", ["not", "a", "mapping"]),
])
def test_a_mistyped_field_is_refused_when_written(section: str, value: object) -> None:
    run = RunBuilder(CONFIG, "s")
    run.set(**{section: value})
    with pytest.raises(TypeError):
        run.finish(Status.ok)


def test_a_mistyped_record_on_disk_is_not_a_readable_record(tmp_path: Path) -> None:
    data = make_record().to_dict()
    data["scenario"]["throughput_sps"] = "fast"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsError, match="scenario.throughput_sps should be float"):
        read_record(path)


def test_version_1_records_still_load(tmp_path: Path) -> None:
    v2 = make_record().to_dict()
    v1 = json.loads(json.dumps(v2))
    v1["schema_version"] = 1
    v1["scenario"]["scenario"] = "single_stream"  # v1 spelled the scenario's name this way
    path = tmp_path / "old.json"
    path.write_text(json.dumps(v1))
    back = read_record(path)
    assert back.schema_version == 2 and back.scenario.name == "single_stream"
    assert back.scenario.percentile("p90") == RunRecord.from_dict(v2).scenario.percentile("p90")
    assert "scenario" not in back.scenario.more
    del v1["schema_version"]  # the oldest records carried no version: read as 1
    assert upgrade(v1)["scenario"]["name"] == "single_stream"


def test_failed_runs_have_empty_sections() -> None:
    record = RunBuilder(CONFIG, "s").finish(Status.failed, "boom")
    assert not record.scenario and not record.energy and record.scenario.percentile("p50") is None
    assert record.to_dict()["scenario"] == {}
