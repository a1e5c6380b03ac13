"""Host vs device time: a session reporting its runtime's device and transfer time per query.

The example plugin's (emulated) SDK times the device and the copies to and from it; the
record keeps both beside our wall latency, and the results table shows them only when some
run reports them."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from harness.backends.config import TargetConfig
from harness.records.schema import RunRecord, Status
from harness.report.device_rows import DEVICE_HEADERS, add_device_columns
from harness.report.render import HEADERS, LEGEND, markdown
from harness.report.rows import record_row
from harness.scenarios import run_scenario

PLUGIN_SRC = Path(__file__).resolve().parents[3] / "examples" / "fictional_npu" / "src"


@pytest.fixture()
def nimbus_session(load_tiny):
    """A real Nimbus plugin session (emulated on onnxruntime) over the tiny model."""
    if str(PLUGIN_SRC) not in sys.path:
        sys.path.insert(0, str(PLUGIN_SRC))
    from fictional_npu.backend import NimbusBackend

    return load_tiny(NimbusBackend(TargetConfig(name="nimbus_npu", backend="nimbus_npu",
                                                device="nimbus0")))


def test_device_and_transfer_time_sit_inside_our_latency(nimbus_session, samples, tiny) -> None:
    result = run_scenario(nimbus_session, samples, tiny("single_stream"))
    split = result.extra["device_time"]
    assert "Nimbus SDK" in split["source"] and "transfer" not in split["transfer_source"][:3]
    device = np.asarray(split["device_samples_ns"])
    transfer = np.asarray(split["transfer_samples_ns"])
    wall = np.asarray(result.latencies_ns)
    assert device.size == transfer.size == wall.size == split["device"]["count"]
    assert np.all(device > 0) and np.all(transfer > 0)
    assert np.all(device + transfer <= wall)  # the SDK's timers run inside our session.run()
    assert split["host_overhead"]["p50_ns"] > 0 and 0 < split["device_share_of_wall_p50"] < 1
    assert "runtime_timer" not in result.extra  # the older section stays OpenVINO's alone


def test_sessions_reporting_nothing_record_nothing(session, samples, tiny) -> None:
    result = run_scenario(session, samples, tiny("single_stream"))
    assert "device_time" not in result.extra


def test_multi_stream_queries_have_no_device_time(nimbus_session, samples, tiny) -> None:
    result = run_scenario(nimbus_session, samples, tiny("multi_stream"))
    assert "device_time" not in result.extra  # several runs per query: one timing won't do


def _record(extra: dict | None) -> RunRecord:
    config = {"model": {"name": "m"}, "quant": {"name": "fp32"}, "target": {"name": "t"},
              "scenario": {"name": "single_stream"}}
    scenario = {"name": "single_stream", **({"extra": extra} if extra else {})}
    return RunRecord(run_id="r", sweep="s", status=Status.ok, config=config, config_hash="h",
                     created_at="now", scenario=scenario)  # type: ignore[arg-type]


def test_table_gains_device_columns_only_when_a_run_reports_them(nimbus_session, samples,
                                                                 tiny) -> None:
    plain = [_record(None)]
    rows = [record_row(r) for r in plain]
    assert add_device_columns(plain, rows, HEADERS, LEGEND) == (HEADERS, LEGEND)
    extra = {**run_scenario(nimbus_session, samples, tiny("single_stream")).extra}
    records = [_record(None), _record(extra)]
    rows = [record_row(r) for r in records]
    headers, legend = add_device_columns(records, rows, HEADERS, LEGEND)
    assert set(DEVICE_HEADERS) <= set(headers) and "host overhead" in legend
    assert rows[0]["device_p50_ms"] is None and rows[1]["device_p50_ms"] > 0
    assert rows[1]["transfer_p50_ms"] > 0 and rows[1]["device_source"] == "Nimbus SDK " \
        "Graph.last_device_ns and last_transfer_ns (emulated device)"
    assert "device p50 ms" in markdown(rows, headers, legend)


def test_old_openvino_records_show_their_runtime_timer() -> None:
    legacy = {"runtime_timer": {"source": "OpenVINO InferRequest.latency: the C++ infer()",
                                "summary": {"p50": {"value_ns": 200_000}},
                                "wall_minus_runtime_p50_ns": 20_000.0}}
    records = [_record(legacy)]
    rows = [record_row(r) for r in records]
    add_device_columns(records, rows, HEADERS, LEGEND)
    assert rows[0]["device_p50_ms"] == 0.2 and rows[0]["host_p50_ms"] == 0.02
    assert rows[0]["device_source"] == "OpenVINO InferRequest.latency"
