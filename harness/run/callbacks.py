"""Hydra callbacks: check the results folder before a sweep, count its runs, summarise it after."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from harness.core.errors import HarnessError
from harness.records import store
from harness.records.builder import safe_name
from harness.records.io import NewerRecordError, quarantine, read_record, record_paths
from harness.records.schema import Status
from harness.report.store_load import index_folder
from harness.report.summary import write_html_report, write_summary
from harness.run import progress


def count_jobs(config: DictConfig) -> int:
    """Return the number of jobs the basic sweeper will launch (sweep params × overrides)."""
    params = config.hydra.sweeper.get("params") or {}
    merged = {f"{k}": f"{k}={v}" for k, v in params.items()}
    for override in config.hydra.overrides.task:
        merged[override.split("=", 1)[0].lstrip("+~")] = override
    total = 1
    for parsed in OverridesParser.create().parse_overrides(list(merged.values())):
        if parsed.is_sweep_override():
            total *= len(list(parsed.sweep_string_iterator()))
    return total


def ensure_writable(folder: Path) -> None:
    """Exit with a one-paragraph message when results cannot be written to `folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        print(f"error: Cannot write results to {folder}: {exc.strerror}. Make the folder "
              "writable, or choose another with results_dir=PATH.", file=sys.stderr)
        sys.exit(2)


def _refuse(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def check_resume(resume: str | None) -> None:
    """Before a resumed sweep: exit 2 when the folder is missing or holds a record from a newer
    edge-harness (resuming would replace it); move corrupt records aside, to be rerun."""
    if not resume:
        return
    folder = Path(resume)
    if not folder.is_dir():
        _refuse(f"resume={resume}: no such sweep folder, so nothing was run or created. resume= "
                "takes the folder of an earlier sweep (results/<sweep>/<timestamp>, printed at "
                "its end or interruption); check the path, or leave resume= out to start a new "
                "sweep.")
    newer = []
    for path in record_paths(folder):
        try:
            read_record(path)
        except NewerRecordError:
            newer.append(path.name)
        except HarnessError as exc:
            quarantine(path, str(exc.__cause__ or exc.message))
    if newer:
        _refuse(f"{folder} holds {len(newer)} record(s) written by a newer edge-harness "
                f"({', '.join(newer[:3])}{', ...' if len(newer) > 3 else ''}); resuming would "
                "replace them, so nothing was run. Update edge-harness (git pull; make setup) "
                "and resume again, or resume into a new folder.")


def _note_sweep_name(config: DictConfig) -> None:
    if not config.resume and safe_name(config.sweep) != str(config.sweep):
        print(f"note: sweep '{config.sweep}' is written as the folder name "
              f"'{safe_name(config.sweep)}' under {config.results_dir}", file=sys.stderr)


class SweepSummary(Callback):
    """Prints the results table and writes summary.md/csv at the end of a run or sweep."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Check the resumed folder and that the run folder is writable before any work."""
        check_resume(config.resume)
        _note_sweep_name(config)
        ensure_writable(Path(config.hydra.run.dir))
        progress.start_sweep(1, str(config.hydra.run.dir))

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Check the resumed folder, that the sweep folder is writable, and count the jobs."""
        check_resume(config.resume)
        _note_sweep_name(config)
        ensure_writable(Path(config.hydra.sweep.dir))
        progress.start_sweep(count_jobs(config), str(config.hydra.sweep.dir))

    def on_run_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Summarise the single run's folder."""
        self._finish(Path(config.hydra.run.dir))

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Summarise the sweep folder; exit non-zero when nothing succeeded but something failed."""
        self._finish(Path(config.hydra.sweep.dir))

    @staticmethod
    def _finish(folder: Path) -> None:
        records = write_summary(folder)
        statuses = {r.status for r in records}
        print(f"Records, summary.md and summary.csv in {folder}", file=sys.stderr)
        if store.enabled() and index_folder(folder):
            print(f"Results store: {folder / store.STORE_NAME}", file=sys.stderr)
        if Status.ok in statuses:
            try:
                print(f"HTML report: {write_html_report(folder)}", file=sys.stderr)
            except Exception as exc:  # a derived file: never lose the sweep over it
                print(f"warning: the HTML report could not be written: {exc}", file=sys.stderr)
        if Status.failed in statuses and Status.ok not in statuses:
            sys.exit(1)
