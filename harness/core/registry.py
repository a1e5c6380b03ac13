"""Typed registries that load lazily, check the base class and answer unknown names helpfully."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from harness.core.errors import BackendUnavailable, ConfigError, unknown_name

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """Where a registered class lives, and the pip extra that installs what it needs."""

    target: str  # "package.module:Class"
    extra: str = ""


class Registry(Generic[T]):
    """Name -> class from built-ins and an entry-point group; classes import on first use."""

    def __init__(self, kind: str, base: type[T], group: str | None = None) -> None:
        self.kind = kind
        self.base = base
        self.group = group
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, type[T]] = {}
        self._discovered = False

    def register(self, name: str, target: str, extra: str = "") -> None:
        """Register a class by import path without importing it."""
        self._entries[name] = Entry(target, extra)

    def _discover(self) -> None:
        if self._discovered or self.group is None:
            return
        self._discovered = True
        for ep in entry_points(group=self.group):
            self._entries.setdefault(ep.name, Entry(ep.value))

    def names(self) -> list[str]:
        """Return every registered name, built-in and plugin."""
        self._discover()
        return sorted(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> type[T]:
        """Return the class registered as `name`, importing it now; errors say what to do."""
        self._discover()
        if name in self._loaded:
            return self._loaded[name]
        entry = self._entries.get(name)
        if entry is None and ":" in name:  # "package.module:Class", e.g. a plugin in development
            entry = Entry(name)
        if entry is None:
            raise unknown_name(self.kind, name, self._entries)
        module_name, _, attr = entry.target.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except AttributeError as exc:
            raise unknown_name(self.kind, name, self._entries) from exc
        except ImportError as exc:
            fix = (
                f"Install it with `pip install -e '.[{entry.extra}]'` "
                f"(or `make setup OPTIONAL={entry.extra}`)."
                if entry.extra
                else "Install the package that provides it."
            )
            raise BackendUnavailable(
                f"The {self.kind} '{name}' cannot be imported here: {exc}.", fix
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise ConfigError(f"{entry.target} is not a {self.kind}: it does not subclass "
                              f"{self.base.__module__}.{self.base.__name__}.",
                              f"Derive it from {self.base.__name__} (see README).")
        self._loaded[name] = cls
        return cls
