"""Pick runs by dotted keys: filters (--where), grouping (--group-by) and the baseline spec.

A key is looked up in the run's resolved config first (`quant.name`, `target.threads`), then in
the record (`environment.hostname`, `backend.runtime_version`). Short aliases: `model`, `quant`,
`target`, `scenario` mean their `.name`; `host` is the hostname; `folder` the results folder given
on the command line (or any parent of the record's file). For generative runs `engine` is
`generative.engine`, `quant` and `weight_format` the weight format (harness/report/gen_record.py)
and `scenario` gen_<generative.scenario.name>, as written on the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from harness.core.errors import ConfigError, unknown_name
from harness.records.sections import Section
from harness.report.gen_record import engine_name, is_generative, scenario_name, weight_format
from harness.report.load import Run

ALIASES = {"model": "model.name", "quant": "quant.name", "target": "target.name",
           "scenario": "scenario.name", "host": "environment.hostname"}
GEN_LOOKUPS = {"engine": engine_name, "weight_format": weight_format, "quant": weight_format,
               "scenario": scenario_name}
_MISSING = object()


def _walk(data: Any, parts: Sequence[str]) -> Any:
    if isinstance(data, Section):
        data = data.to_dict()
    for part in parts:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def lookup(run: Run, key: str) -> Any:
    """Return the value of dotted `key` for `run` (config first, then record); None if absent."""
    if key == "folder":
        return str(run.folder)
    if key in GEN_LOOKUPS and is_generative(run.record):
        return GEN_LOOKUPS[key](run.record)
    parts = ALIASES.get(key, key).split(".")
    value = _walk(run.record.config, parts)
    if value is _MISSING and parts[0] in run.record.__dataclass_fields__:
        field = getattr(run.record, parts[0])
        value = _walk(field, parts[1:]) if len(parts) > 1 else field
    if hasattr(value, "value"):  # an Enum such as Status
        value = value.value
    return None if value is _MISSING else value


def has_key(run: Run, key: str) -> bool:
    """Return True when dotted `key` names something in the run's config or record."""
    if key == "folder" or (key in GEN_LOOKUPS and is_generative(run.record)):
        return True
    parts = ALIASES.get(key, key).split(".")
    if _walk(run.record.config, parts) is not _MISSING:
        return True
    if parts[0] not in run.record.__dataclass_fields__:
        return False
    return len(parts) == 1 or _walk(getattr(run.record, parts[0]), parts[1:]) is not _MISSING


def _dotted(data: Any, prefix: str = "") -> list[str]:
    if not isinstance(data, dict):
        return [prefix]
    return [k for key, value in data.items() for k in _dotted(value, f"{prefix}{key}.")]


def check_keys(runs: Sequence[Run], keys: Iterable[str], what: str) -> None:
    """Raise ConfigError (valid keys, did-you-mean) for a key that no run has."""
    for key in keys:
        if not runs or any(has_key(r, key) for r in runs):
            continue
        valid = set(ALIASES) | set(GEN_LOOKUPS) | {"folder"} | {k.rstrip(".") for r in runs[:20]
                                             for k in _dotted(r.record.config)}
        raise unknown_name(what, key, valid)


def _same(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return value is not None and str(value) == wanted


def parse_pairs(items: Iterable[str], option: str) -> list[tuple[str, str]]:
    """Return (key, value) pairs of 'key=value' strings; ConfigError naming `option` otherwise."""
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option} '{item}' is not key=value.",
                              f"Write e.g. {option} quant.name=int8_static or {option} target=cpu.")
        pairs.append((key.strip(), value.strip()))
    return pairs


def matches(run: Run, pairs: Sequence[tuple[str, str]]) -> bool:
    """Return True when every (key, value) pair holds for `run` (folder: path prefix match)."""
    for key, wanted in pairs:
        if key == "folder":
            if not _in_folder(run, wanted):
                return False
        elif not _same(lookup(run, key), wanted):
            return False
    return True


def _in_folder(run: Run, wanted: str) -> bool:
    wanted_path = Path(wanted).resolve()
    return wanted_path == run.folder.resolve() or wanted_path in run.path.resolve().parents


def filter_runs(runs: Iterable[Run], pairs: Sequence[tuple[str, str]]) -> list[Run]:
    """Return the runs for which every filter pair holds."""
    return [r for r in runs if matches(r, pairs)]


def group_runs(runs: Iterable[Run], key: str | None) -> dict[str, list[Run]]:
    """Return runs grouped by the string value of `key` (one group "" when key is None)."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        label = "" if key is None else str(lookup(run, key))
        groups.setdefault(label, []).append(run)
    return groups


def baseline_pairs(spec: str) -> list[tuple[str, str]]:
    """Return filter pairs for a --baseline spec: 'k=v[,k=v]' or a bare folder path."""
    if "=" not in spec:
        return [("folder", spec)]
    return parse_pairs(spec.split(","), "--baseline")
