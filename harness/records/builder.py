"""Collects a run's fields and phase timings as they happen, then freezes them into a record."""

from __future__ import annotations

import re
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from harness.core.cache import content_hash
from harness.records.env import fingerprint
from harness.records.schema import RunRecord, Status

#: Keys that say how and where to run, not what to measure: left out of the run's identity so
#: that resuming a sweep (resume=..., another results_dir) recognises its runs. `profile` is
#: taken after the timed trials, in its own session, and changes none of their numbers.
RUN_CONTROL_KEYS = ("resume", "force", "retry_failed", "results_dir", "cache_dir",
                    "run_timeout_s", "memory_cap_mb", "isolation", "sweep", "host_folders",
                    "launcher", "profile")
#: Longest file-name stem built from names (a file name may hold 255 bytes; the temp file
#: of an atomic write adds ~15).
MAX_NAME = 120


def measured_config(config: dict[str, Any]) -> dict[str, Any]:
    """Return the config without the run-control keys: what determines the measurement.

    A tensor run leaves out the generative keys, so its identity is what it was before them."""
    measured = {k: v for k, v in config.items() if k not in RUN_CONTROL_KEYS}
    if measured.get("workload", "tensor") == "tensor":
        measured.pop("workload", None)
        measured.pop("generative", None)
    return measured


def safe_name(name: str, limit: int = MAX_NAME) -> str:
    """Return `name` as one safe, visible file name: [A-Za-z0-9_.-] only, no leading '.' or
    '-', at most `limit` characters (longer names keep their start and a hash of the whole)."""
    text = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name))
    text = re.sub(r"^[.-]+", lambda m: "_" * len(m.group()), text) or "_"
    if len(text) > limit:
        text = f"{text[:limit - 9]}-{content_hash(str(name))[:8]}"
    return text


def run_id_for(config: dict[str, Any]) -> str:
    """Return a file-name-safe id: model-quant-target-scenario-<config hash prefix>.

    The hash keeps two runs apart that differ only in an option (threads, batch size). Names
    are made safe (no '/', no leading '.', bounded length); the record keeps the originals."""
    names = [config["model"]["name"], config["quant"]["name"], config["target"]["name"],
             config["scenario"]["name"]]
    if config.get("workload") == "generative":  # model-engine-target-gen_<scenario>
        gen = config["generative"]
        names = [config["model"]["name"], gen["engine"], config["target"]["name"],
                 f"gen_{gen['scenario']['name']}"]
    digest = content_hash(measured_config(config))[:8]
    return f"{safe_name('-'.join(str(n) for n in names))}-{digest}"


def peak_rss_bytes() -> int:
    """Return this process's peak resident set size in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class RunBuilder:
    """Mutable while the run is going; `finish()` returns the frozen RunRecord."""

    def __init__(self, config: dict[str, Any], sweep: str) -> None:
        self.config = config
        self.sweep = sweep
        self.run_id = run_id_for(config)
        self.phases_s: dict[str, float] = {}
        self.fields: dict[str, Any] = {}
        self.warnings: list[str] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the enclosed block as phase `name` (seconds, wall clock)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases_s[name] = time.perf_counter() - start

    def set(self, **fields: Any) -> None:
        """Set record fields (model, artifact, backend, scenario, energy, accuracy, ...)."""
        self.fields.update(fields)

    def finish(self, status: Status, reason: str = "", error_type: str = "") -> RunRecord:
        """Return the frozen record with the environment and memory filled in."""
        memory = {"peak_rss_bytes": peak_rss_bytes(), "peak_rss_scope": "harness process"}
        memory.update(self.fields.pop("memory", {}))
        return RunRecord(
            run_id=self.run_id, sweep=self.sweep, status=status, config=self.config,
            config_hash=content_hash(measured_config(self.config)), reason=reason,
            error_type=error_type,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            environment=fingerprint(), phases_s=dict(self.phases_s), memory=memory,
            warnings=list(self.warnings), **self.fields,
        )
