"""Reports read from the results store: runs rebuilt from its rows, and the store rebuilt from JSON.

`load_store_runs` gives `harness compare --store` and `harness deploy --store` the same `Run`
objects `load_runs` reads from the JSON files (the record's raw latencies stay in its JSON file,
which `latencies_ns` re-reads when a plot needs them). `rebuild` recreates a store from the JSON
records under folders: the JSON is the source of truth, the store only an index of it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from harness.core.errors import HarnessError, ResultsError
from harness.records import store
from harness.records.store_rows import record_row
from harness.report.load import Run, parse_record, record_texts


def load_store_runs(folders: Sequence[Path]) -> list[Run]:
    """Return every run indexed in the stores of `folders` (a records.duckdb file, or a folder's
    own or nested ones), in path order; a run's folder is the argument it was found through."""
    runs: list[Run] = []
    for folder in map(Path, folders):
        con, rel = store.open_union(store.store_files([folder]))
        try:
            rows = con.execute(f"SELECT record_json, path FROM {rel} ORDER BY path").fetchall()
        finally:
            con.close()
        given = folder.parent if folder.is_file() else folder
        runs += [Run(parse_record(text, Path(path)), Path(path), given) for text, path in rows]
    return runs


def _rows(folders: Sequence[Path]) -> Iterator[tuple]:
    for folder in folders:
        for path, text in record_texts(folder):
            yield record_row(parse_record(text, path), path, Path(folder), text)


def rebuild(folders: Sequence[Path], target: Path) -> tuple[int, float]:
    """Recreate the store `target` from the JSON records under `folders`; return the number of
    records indexed and the seconds it took. The old store is replaced only once the new one is
    complete."""
    start = time.perf_counter()
    target = Path(target)
    fresh = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fresh.unlink(missing_ok=True)
    con = store.connect(fresh)
    try:
        count = store.bulk_insert(con, _rows(folders), fresh.with_suffix(".ndjson"))
        con.execute("CHECKPOINT")
    except store.db_error() as exc:
        fresh.unlink(missing_ok=True)
        raise ResultsError(f"DuckDB could not write the results store {target}: {exc}.",
                           "The JSON records are intact; fix the cause and run "
                           "'harness store rebuild' again.") from exc
    finally:
        con.close()
    fresh.with_name(fresh.name + ".wal").unlink(missing_ok=True)
    try:
        os.replace(fresh, target)
    except OSError:
        fresh.unlink(missing_ok=True)
        raise
    return count, time.perf_counter() - start


def index_folder(folder: Path) -> Path | None:
    """Rebuild `<folder>/records.duckdb` from the folder's records; return its path, or None
    (with a warning saying how to build it later) when it cannot be written. Never raises for
    the index: the JSON records are what matter."""
    target = Path(folder) / store.STORE_NAME
    try:
        rebuild([folder], target)
    except (HarnessError, OSError) as exc:
        print(f"warning: the results store {target} was not written: {exc} The records are "
              f"intact; build it later with: harness store rebuild {folder}", file=sys.stderr)
        return None
    return target
