"""The store-vs-JSON benchmark's generator at small N: the store and the JSON records agree.

scripts/bench_store.py times `harness history` over a million generated records; this checks,
at 2,000, that what it times is the same answer both ways: its bulk-inserted rows equal the
rows `harness store rebuild` makes from the JSON files, and history's points from the store
equal those computed from the JSON records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb", reason="the results store needs the 'store' extra")

from harness.report.history import points_from_runs, points_from_store  # noqa: E402
from harness.report.load import load_runs  # noqa: E402
from harness.report.store_load import rebuild  # noqa: E402
from scripts.bench_store import Generator, bulk_store, check_rows, write_json  # noqa: E402
from tests.unit.report.records_factory import make_record  # noqa: E402

RECORDS = 2000


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM runs ORDER BY path").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    base = make_record().to_dict()
    base["environment"] |= {"harness_commit": "0" * 40, "libraries": {"onnxruntime": "1.0"}}
    base["backend"] = {"name": "onnxruntime", "version": "1.0"}
    text = __import__("json").dumps(base)
    gen = Generator(text, out, RECORDS, per_sweep=500, seed=3)
    check_rows(gen, out / "records", 50)
    folders, _ = write_json(gen, RECORDS)
    assert len(folders) == RECORDS // 500
    rebuild([out / "records"], out / "rebuilt.duckdb")
    bulk_store(gen, out / "bulk.duckdb", RECORDS, chunk=700)
    return out


def test_bulk_rows_are_the_rows_rebuild_makes(generated: Path) -> None:
    rows = _rows(generated / "bulk.duckdb")
    assert len(rows) == RECORDS
    assert rows == _rows(generated / "rebuilt.duckdb")


@pytest.mark.parametrize("where", [[], [("model", "resnet8")],
                                   [("target", "cpu"), ("backend_version", "1.22.0")]])
def test_history_from_the_store_is_history_from_the_json(generated: Path,
                                                          where: list[tuple[str, str]]) -> None:
    from_store = points_from_store([generated / "bulk.duckdb"], "p50", where)
    assert from_store, "the query matched nothing: the test would prove nothing"
    assert from_store == points_from_runs(load_runs([generated / "records"]), "p50", where)
