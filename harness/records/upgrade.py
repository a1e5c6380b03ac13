"""Schema versions of the run record, and the upgrade of older records to the current one.

Version 1: untyped sections; the scenario's name under `scenario.scenario`.
Version 2: typed sections (harness/records/sections.py) checked on write and read; the
scenario's name under `scenario.name`."""

from __future__ import annotations

import copy
from typing import Any

SCHEMA_VERSION = 2


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    scenario = data.get("scenario")
    if isinstance(scenario, dict) and "scenario" in scenario and "name" not in scenario:
        scenario["name"] = scenario.pop("scenario")
    data["schema_version"] = 2
    return data


UPGRADES = {1: _v1_to_v2}


def upgrade(data: dict[str, Any], owned: bool = False) -> dict[str, Any]:
    """Return a copy of a record's JSON form upgraded to SCHEMA_VERSION (a missing version
    is read as 1); raises ValueError for a version this harness does not know. `owned`: the
    caller hands `data` over (fresh from json.loads), so it is upgraded in place, not copied
    (the deep copy was half the time of reading a record)."""
    if not owned:
        data = copy.deepcopy(data)
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version < 1 or version > SCHEMA_VERSION:
        raise ValueError(f"unknown schema_version {version!r}")
    while version < SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version = data["schema_version"]
    return data
