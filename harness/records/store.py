"""The results store: the run records indexed in an embedded DuckDB file beside their JSON.

The JSON files stay the source of truth; `records.duckdb` is an index of their summaries (one row
per record file, keyed by its path) that `harness store rebuild` recreates from the JSON at any
time. harness-bench writes it at the end of every run or sweep, in one transaction for the whole
folder (so parallel jobs never contend for its lock), beside summary.csv. Writing it is
best-effort: when it cannot be written (DuckDB not installed, a disk error) the JSON is intact
and a warning says how to build it. `HARNESS_STORE=off` turns it off.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from harness.core.errors import HarnessError, ResultsError
from harness.records.store_rows import COLUMNS, NAMES

STORE_NAME = "records.duckdb"
TABLE = "runs"
LOCK_WAIT_S = 5.0  # how long a writer waits for another process's lock on the store
COMPRESSED = {"record_json": "zstd"}  # column -> compression (see _create)


def available() -> bool:
    """Return True when DuckDB is installed (the `store` extra)."""
    return find_spec("duckdb") is not None


def enabled() -> bool:
    """Return True when sweeps should write their store (DuckDB present, not turned off)."""
    return os.environ.get("HARNESS_STORE", "on").lower() not in ("off", "0", "no") and available()


def _duckdb() -> Any:
    if not available():
        raise HarnessError("The results store needs DuckDB, which is not installed.",
                           "Install it with: pip install -e '.[store]'")
    import duckdb

    return duckdb


def db_error() -> type[Exception]:
    """Return DuckDB's base exception class (DuckDB must be installed)."""
    return _duckdb().Error


def _create(con: Any) -> None:
    # zstd for the record text: DuckDB's default string compression (dictionary + FSST) spends
    # ~1 ms a record choosing and applying it at checkpoint; zstd takes ~0.04 ms (and is smaller,
    # records sharing most of their text). DuckDB before 1.2 cannot zstd strings: plain then.
    for compressed in (COMPRESSED, {}):
        cols = ", ".join(f"{name} {kind}" + (f" USING COMPRESSION {compressed[name]}"
                                             if name in compressed else "")
                         for name, kind in COLUMNS)
        try:
            con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({cols}, PRIMARY KEY (path))")
            return
        except _duckdb().Error:
            if not compressed:
                raise


def connect(path: Path, read_only: bool = False) -> Any:
    """Open the store at `path` (created with its table unless read-only), retrying while another
    process holds its lock; ResultsError with the fix when it cannot be opened."""
    duckdb = _duckdb()
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise ResultsError(f"Cannot open the results store {path}: {exc}.",
                                   "Close the other process using it, or rebuild it with "
                                   "'harness store rebuild FOLDER'.") from exc
            time.sleep(0.05)
    if not read_only:
        _create(con)
    return con


def upsert(con: Any, rows: Sequence[tuple]) -> None:
    """Insert `rows` (tuples in COLUMNS order), replacing any row with the same path."""
    if not rows:
        return
    marks = ", ".join("?" * len(COLUMNS))
    con.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES ({marks})", list(rows))


def bulk_insert(con: Any, rows: Iterable[tuple], scratch: Path) -> int:
    """Insert many rows fast (through a newline-delimited JSON file at `scratch`, which DuckDB
    reads in one statement; executemany is row by row); return how many were inserted."""
    count = 0
    with open(scratch, "w") as fh:
        for row in rows:
            fh.write(json.dumps(dict(zip(NAMES, row, strict=True)), default=str) + "\n")
            count += 1
    if count:
        types = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS)
        con.execute(f"INSERT OR REPLACE INTO {TABLE} SELECT * FROM read_json(?, "
                    f"format='newline_delimited', columns={{{types}}})", [str(scratch)])
    Path(scratch).unlink(missing_ok=True)
    return count


def store_files(paths: Iterable[Path]) -> list[Path]:
    """Resolve --store arguments: a .duckdb file, or a folder's own records.duckdb, else every
    records.duckdb under it; ResultsError when one names no store."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(path)
        elif (path / STORE_NAME).is_file():
            found.append(path / STORE_NAME)
        elif path.is_dir() and (nested := sorted(path.rglob(STORE_NAME))):
            found += nested
        else:
            raise ResultsError(f"No results store at {path}.",
                               f"Build one from the JSON records with: harness store rebuild "
                               f"{path if path.is_dir() else 'FOLDER'}")
    return found


def open_union(paths: Sequence[Path]) -> tuple[Any, str]:
    """Open the stores read-only in one in-memory connection; return it and a SQL relation
    (a subquery) that is the union of their rows."""
    con = _duckdb().connect()
    parts = []
    for i, path in enumerate(paths):
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS s{i} (READ_ONLY)")
        parts.append(f"SELECT * FROM s{i}.{TABLE}")
    return con, "(" + " UNION ALL ".join(parts) + ")"
