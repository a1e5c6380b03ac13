"""Energy on both ends: the server's running totals (a real meter), J per query from a window,
the bracket around a real meter window, and the served artifact's match."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from harness.backends.remote_energy import (
    NOT_REPORTED,
    ServerEnergyBracket,
    artifact_match,
    both_ends,
    j_per_query,
    parse_document,
    server_energy,
)
from harness.core.artifact import Artifact, TensorSpec
from harness.energy.base import NullMeter
from harness.energy.config import MeterConfig
from harness.serve.energy import ServerEnergy
from harness.serve.side_channel import info_document, served_artifact

SPEC = (TensorSpec("input", (1, 3, 32, 32)),)
LOCAL = Artifact("onnx", "fp32", SPEC, Path("m.onnx"), sha256="ab" * 32, size_bytes=10)


def snap(energy_j: float, metered_s: float, requests: int, idle_w: float | None = 10.0) -> dict:
    return {"metered": True, "meter": "estimated", "energy_j": energy_j, "metered_s": metered_s,
            "requests": requests, "samples": requests, "idle_power_w": idle_w,
            "min_window_s": 1.0, "provenance": "estimated", "accuracy_rel": 0.5,
            "scope": "modelled", "method": "power model x psutil process_tree CPU utilisation"}


def test_j_per_query_is_the_window_joules_over_the_servers_requests() -> None:
    out = server_energy(snap(100.0, 10.0, 50), snap(130.0, 12.0, 250), client_queries=200)
    assert out["reported"] and out["gross_energy_j"] == pytest.approx(30.0)
    assert out["window_s"] == pytest.approx(2.0) and out["requests"] == 200
    assert out["gross_j_per_query"] == pytest.approx(0.15)  # 30 J / 200
    assert out["net_j_per_query"] == pytest.approx((30.0 - 10.0 * 2.0) / 200)  # idle 10 W
    assert out["average_power_w"] == pytest.approx(15.0)
    assert out["window_covered"] and "shared" not in out
    assert out["provenance"] == "estimated" and out["uncertainty_rel"] == 0.5
    assert j_per_query(1.0, 0) is None


def test_another_client_on_the_server_is_said_and_the_servers_count_divides() -> None:
    out = server_energy(snap(0.0, 0.0, 0, None), snap(10.0, 0.5, 100, None), client_queries=40)
    assert out["gross_j_per_query"] == pytest.approx(0.1)
    assert "another client" in out["shared"] and out["net_j_per_query"] is None
    assert out["window_covered"] is False  # 0.5 s < the meter's 1 s


def test_two_replicas_behind_one_endpoint_are_not_windowed_as_one() -> None:
    out = server_energy({**snap(0.0, 0.0, 0), "instance": "pod-a:7:1"},
                        {**snap(9.0, 1.0, 10), "instance": "pod-b:7:1"}, 10)
    assert out["reported"] is False and "two server instances" in out["reason"]


def test_a_server_without_a_meter_reports_none() -> None:
    out = server_energy({"metered": False, "meter": "none"}, {"metered": False,
                                                             "meter": "none"}, 10)
    assert out["reported"] is False and "meter=none" in out["reason"]


def test_a_real_server_meter_brackets_a_real_client_window() -> None:
    server = ServerEnergy(MeterConfig(name="estimated", idle_baseline_s=0.0), "cpu")
    server.start()
    artifact = served_artifact(LOCAL, "onnxruntime", "1.0", "cpu")
    queries = [0]

    def read() -> dict:
        doc, why = parse_document(np.array([info_document(artifact, server)],
                                           dtype=np.bytes_), "m.harness")
        assert doc is not None, why
        return doc

    bracket = ServerEnergyBracket(read, lambda: queries[0])
    window = NullMeter().window()
    with bracket.wrap(window):
        for _ in range(5):
            server.count(1, 1)  # the server answers what the client sends
            queries[0] += 1
        time.sleep(0.05)
    section = bracket.section(client_window_s=0.05)
    assert section["reported"] and section["requests"] == 5 == section["client_queries"]
    assert section["window_s"] >= 0.05 and section["gross_energy_j"] > 0
    assert section["gross_j_per_query"] == pytest.approx(section["gross_energy_j"] / 5)
    assert section["provenance"] == "estimated"
    server.close()


def test_without_a_side_channel_the_window_is_untouched_and_the_reason_kept() -> None:
    why = f"{NOT_REPORTED}: it has no model 'm.harness'"
    bracket = ServerEnergyBracket(None, lambda: 0, why)
    window = NullMeter().window()
    assert bracket.wrap(window) is window
    ends = both_ends(bracket, {"gross_j_per_inference": 0.01, "provenance": "estimated"})
    assert ends["server"] == {"reported": False, "reason": why}
    assert ends["client"]["includes_network_wait"] is True and "network" in ends["network"][
        "scope"]


def test_on_loopback_the_record_says_whether_the_two_meters_overlap() -> None:
    bracket = ServerEnergyBracket(lambda: {}, lambda: 1, loopback=True)
    bracket.last = ({"energy": snap(0, 0, 0)}, {"energy": snap(2.0, 1.0, 1)}, 1)
    own = both_ends(bracket, {"method": "power model x psutil process_tree CPU utilisation"})
    assert "do not overlap" in own["server"]["same_machine"]
    shared = both_ends(bracket, {"method": "power model x psutil system CPU utilisation"})
    assert "overlap; do not add" in shared["server"]["same_machine"]


def test_the_served_artifact_matches_by_sha256_of_the_same_format_and_precision() -> None:
    same = served_artifact(LOCAL, "onnxruntime", "1.0", "cpu")
    assert artifact_match(same, "", LOCAL, "")[0] is True
    other = {**same, "sha256": "cd" * 32}
    match, why = artifact_match(other, "", LOCAL, "")
    assert match is False and "differs" in why
    match, why = artifact_match({**same, "precision": "int8_dynamic"}, "", LOCAL, "")
    assert match is False and "int8_dynamic" in why
    match, why = artifact_match({**other, "format": "torch"}, "", LOCAL, "")
    assert match is None and "cannot be compared" in why
    match, why = artifact_match(None, "", LOCAL, f"{NOT_REPORTED}: no side channel")
    assert match is None and NOT_REPORTED in why
    assert artifact_match(None, "ab" * 32, LOCAL, "")[0] is True  # a model-config parameter
    prepared = replace(LOCAL, sha256="ef" * 32, meta={"prepared_from_sha256": LOCAL.sha256})
    match, why = artifact_match(served_artifact(prepared, "openvino", "1", "cpu"), "", LOCAL, "")
    assert match is True and "prepared from" in why


def test_a_side_channel_answer_that_is_not_its_json_is_refused_with_the_reason() -> None:
    doc, why = parse_document(np.array([b"not json"], dtype=np.bytes_), "m.harness")
    assert doc is None and NOT_REPORTED in why
    doc, why = parse_document(np.array([b'{"a": 1}'], dtype=np.bytes_), "m.harness")
    assert doc is None and "without energy" in why
