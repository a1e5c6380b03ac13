"""Names that reach the file system: every record stays visible, bounded and inside results_dir;
markdown cells escape what would break the table; records get the mode open() would give."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from harness.records.io import record_paths, write_json_atomic
from harness.records.schema import Status
from harness.report.render import HEADERS, markdown


@pytest.mark.parametrize("name", ["../x", ".net", "n" * 300, "-rf"])
def test_hostile_model_name_gives_a_visible_bounded_record(run_config, tmp_path, name) -> None:
    record = run_config(f"model.name={name}")
    (path,) = record_paths(tmp_path / "out")
    assert record.status is Status.failed and record.config["model"]["name"] == name
    assert path.parent == tmp_path / "out" and len(path.name) <= 140
    assert not path.name.startswith((".", "-"))


def test_sweep_name_cannot_leave_results_dir(tmp_path: Path) -> None:
    from harness.run.hydra_app import run_folder  # new: the per-invocation folder resolver

    results = tmp_path / "results"
    first = Path(run_folder(None, str(results), "../../outside", "20300101-000000"))
    second = Path(run_folder(None, str(results), "../../outside", "20300101-000000"))
    assert first.is_dir() and second.is_dir() and first != second
    assert all(p.resolve().is_relative_to(results.resolve()) for p in (first, second))
    assert run_folder("given/folder", str(results), "x", "t") == "given/folder"
    assert not (tmp_path / "outside").exists()


def test_markdown_cells_escape_pipes_and_newlines() -> None:
    row = dict.fromkeys([*HEADERS, "reason"], "") | {
        "model": "a|b\nc", "quant": "q", "target": "t", "status": "failed",
        "reason": "bad\nthing | here"}
    lines = markdown([row]).splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 3
    assert {len(re.findall(r"(?<!\\)\|", line)) for line in table} == {len(HEADERS) + 1}
    assert sum(line.startswith("- ") for line in lines) == 1


def test_records_get_the_mode_open_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_json_atomic(tmp_path / "r.json", {"a": 1})
        (tmp_path / "summary.md").write_text("x")
    finally:
        os.umask(old)
    modes = {(tmp_path / n).stat().st_mode & 0o777 for n in ("r.json", "summary.md")}
    assert modes == {0o644}
