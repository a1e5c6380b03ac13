"""Find the latest sweep folder under results/ (for `harness compare` with no folders)."""

from __future__ import annotations

from pathlib import Path

from harness.core.errors import HarnessError
from harness.records.io import record_paths


def latest_sweep(results: Path) -> Path:
    """Return the most recently written `<results>/<sweep>/<timestamp>` folder holding records."""
    candidates = [p for p in Path(results).glob("*/*") if p.is_dir()
                  and not p.parent.name.startswith("compare-") and record_paths(p)]
    if not candidates:
        raise HarnessError(f"No sweep with run records under {results}/.",
                           "Run a sweep first (make bench), or name folders: "
                           "make compare ARGS=\"results/a results/b\".")
    return max(candidates, key=lambda p: max(r.stat().st_mtime for r in record_paths(p)))
