"""Terminal output that fits a terminal: the end-of-sweep table in 120 columns (the full table
in summary.md), and one plain line per run in a non-interactive log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from harness.records.schema import Status
from harness.report.render import HEADERS
from harness.report.summary import write_summary
from harness.run import progress
from tests.unit.report.records_factory import make_record, write_records

TARGETS = ("cpu", "torch_cpu", "openvino_cpu", "executorch_xnnpack")


def test_sweep_table_fits_120_columns(tmp_path: Path) -> None:
    gate = {"target": 0.99, "metric": "top1", "ratio": 1.0, "passed": True}
    records = [make_record(m, q, t, seed=i, task={"metric": "top1", "value": 0.99}, gate=gate,
                           energy_j=123.456, provenance="estimated")
               for i, (m, q, t) in enumerate((m, q, t) for m in ("kws", "autoencoder")
                                             for q in ("fp32", "int8_static") for t in TARGETS)]
    records.append(make_record("vww", "int8_static", "executorch_xnnpack", status=Status.failed))
    folder = write_records(tmp_path, records)
    out = io.StringIO()
    write_summary(folder, Console(file=out, width=200))  # a log file: wide, not a terminal
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 120, max(lines, key=len)
    assert "summary.md" in out.getvalue() and "Not shown here" in out.getvalue()
    assert "executorch_xnnpack" in out.getvalue() and "int8_static" in out.getvalue()
    full = (folder / "summary.md").read_text().splitlines()[0]
    assert all(h in full for h in HEADERS.values())


def test_a_skipped_row_keeps_its_status_under_status_when_columns_are_dropped(
        tmp_path: Path) -> None:
    records = [make_record("kws", "fp32", t, seed=i, energy_j=123.456, provenance="estimated")
               for i, t in enumerate(TARGETS)]
    skipped = make_record("kws", "int8_static", "torch_cpu", status=Status.skipped)
    records.append(type(skipped)(**{**vars(skipped), "reason": "torch_cpu: needs a torch model"}))
    folder = write_records(tmp_path, records)
    out = io.StringIO()
    write_summary(folder, Console(file=out, width=200))
    text = out.getvalue()
    assert "Not shown here" in text and "scenario" in text.split("Not shown here")[1]
    header = next(line for line in text.splitlines() if "status" in line and "model" in line)
    row = next(line for line in text.splitlines() if "int8_static" in line)
    status_at = header.index("status")
    assert row[status_at:status_at + 7] == "skipped", (header, row)
    assert "single_stream" not in row


def test_progress_is_one_line_per_run_in_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    progress.start_sweep(2)
    progress.report_run(make_record())
    failed = make_record(status=Status.failed)
    progress.report_run(type(failed)(**{**vars(failed), "reason": "line one\nline two " * 30}))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("1/2") and "p50" in lines[0]
    assert lines[1].startswith("2/2") and "line one line two" in lines[1]
