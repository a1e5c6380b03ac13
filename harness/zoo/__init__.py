"""Model zoo: the MLPerf Tiny reference architectures and a small trained digits CNN.

Entries come from the `harness.zoo` entry-point group (`name = "package.module:entry"`, a
function returning a ZooEntry), built-ins and plugins alike."""

from __future__ import annotations

from harness.core.errors import ConfigError, unknown_name
from harness.core.registry import Registry
from harness.zoo.entry import DEFAULT_CACHE_DIR, Dataset, ZooEntry, ZooInput
from harness.zoo.params import folded_parameter_count

__all__ = [
    "DEFAULT_CACHE_DIR",
    "Dataset",
    "ZOO",
    "ZooEntry",
    "ZooInput",
    "folded_parameter_count",
    "get",
    "names",
]

ZOO: Registry = Registry("model", None, group="harness.zoo")


def names() -> list[str]:
    """Return the zoo model names, built-in and plugin, sorted."""
    return ZOO.names()


def get(name: str) -> ZooEntry:
    """Return the zoo entry called `name`; raise ConfigError (with did-you-mean) if unknown."""
    if str(name) not in ZOO:
        raise unknown_name("model", str(name), names())
    entry = ZOO.get(name)()
    if not isinstance(entry, ZooEntry) or entry.name != name:
        raise ConfigError(f"The zoo entry point '{name}' did not return a ZooEntry named so.",
                          "Point it at a function returning ZooEntry(name=<the same name>, ...).")
    return entry
