"""A real harness-bench run leaves its results store beside the JSON, readable by history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import bench

duckdb = pytest.importorskip("duckdb", reason="the results store needs the 'store' extra")


def test_a_run_indexes_its_records(tmp_path: Path, shared_cache: Path) -> None:
    proc = bench(tmp_path, "model=digits", "quant=fp32", "target=cpu", cache=shared_cache)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (db,) = (tmp_path / "results").rglob("records.duckdb")
    (path,) = [p for p in db.parent.glob("*.json")]
    record = json.loads(path.read_text())
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT run_id, backend_version, harness_commit, p50_ns FROM runs").fetchall()
    con.close()
    assert row == [(record["run_id"], record["backend"]["version"],
                    record["environment"]["harness_commit"],
                    record["scenario"]["summary"]["p50"]["value_ns"])]
