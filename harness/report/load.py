"""Read run records fast for reports: raw latencies are cut out before JSON parsing.

A record's `scenario.latencies_ns` list is most of its bytes; comparing 10,000 records needs only
the summaries, so `load_runs` splices that list out of the text before `json.loads` and
`latencies_ns` re-reads one file when a plot needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import ResultsError
from harness.records.io import parse_record as parse_json_record
from harness.records.schema import RunRecord

_LATENCIES_KEY = '"latencies_ns":'


@dataclass(frozen=True)
class Run:
    """One record as read for a report: the record, its file and the results folder given."""

    record: RunRecord
    path: Path
    folder: Path


def strip_latencies(text: str) -> str:
    """Return record JSON text with the scenario's raw latency list replaced by []."""
    start = text.find(_LATENCIES_KEY)
    if start < 0:
        return text
    open_at = text.find("[", start)
    close_at = text.find("]", open_at)
    if open_at < 0 or close_at < 0:
        return text
    return text[: open_at + 1] + text[close_at:]


def parse_record(text: str, path: Path, keep_latencies: bool = False) -> RunRecord:
    """Return the record in `text`, without its raw latencies unless asked (faster to parse)."""
    return parse_json_record(text if keep_latencies else strip_latencies(text), path)


def record_paths(folder: Path) -> Iterator[Path]:
    """Yield every run-record JSON path under `folder`, recursively, in path order."""
    folder = Path(folder)
    if not folder.exists():
        raise ResultsError(f"Results folder {folder} does not exist.",
                           "Pass a folder written by harness-bench (results/<sweep>/<time>).")
    for path in sorted(folder.rglob("*.json")):
        inner = path.relative_to(folder).parts[:-1]
        if path.name.startswith(".") or ".hydra" in inner or "runs" in inner \
                or path.name.endswith(".benchmark.json"):
            continue
        yield path


def record_texts(folder: Path) -> Iterator[tuple[Path, str]]:
    """Yield (path, JSON text) of every run record under `folder` in path order, passing over
    other JSON files (a report export); ResultsError for a file that cannot be read."""
    for path in record_paths(folder):
        try:
            text = path.read_text()
        except OSError as exc:
            raise ResultsError(f"Cannot read {path}: {exc.strerror}.",
                               "Check the file's permissions.") from exc
        if '"run_id"' in text[:200]:
            yield path, text


def load_runs(folders: Iterable[Path]) -> list[Run]:
    """Return every run record under the folders (recursively), latencies left out."""
    runs: list[Run] = []
    for folder in folders:
        runs += [Run(parse_record(text, path), path, Path(folder))
                 for path, text in record_texts(folder)]
    return runs


def latencies_ns(run: Run) -> list[int]:
    """Return the run's raw per-query latencies in ns, re-read from its file ([] if none)."""
    record = parse_record(run.path.read_text(), run.path, keep_latencies=True)
    return list(record.scenario.latencies_ns or [])
