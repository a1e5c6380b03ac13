"""Typed registries, one per plugin kind, each fed by its own entry-point group.

Built-ins and plugins register the same way, in a `pyproject.toml`:
`[project.entry-points."harness.backends"] name = "package.module:Object [extra]"`. Objects
import on first use; the registry checks the kind (a subclass of its base class, or a callable
for function plugins) and answers an unknown name with the valid ones and a did-you-mean.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from harness.core.errors import BackendUnavailable, ConfigError, unknown_name

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


def plugin_member(cls: type[E], value: str) -> E:
    """Return a new member of str-valued enum `cls` named `value` (a plugin's name)."""
    member = str.__new__(cls, value)
    member._name_, member._value_ = value, value
    cls._value2member_map_[value] = member
    return member


@dataclass(frozen=True)
class Entry:
    """Where a registered object lives, and the pip extra that installs what it needs."""

    target: str  # "package.module:Object"
    extra: str = ""


class Registry(Generic[T]):
    """Name -> object from an entry-point group (plus test registrations); imports lazily.

    base: the class every entry must subclass; None for function plugins (any callable)."""

    def __init__(self, kind: str, base: type | None, group: str | None = None) -> None:
        self.kind = kind
        self.base = base
        self.group = group
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, T] = {}
        self._discovered = False

    def register(self, name: str, target: str, extra: str = "") -> None:
        """Register an object by import path without importing it (tests, development)."""
        self._entries[name] = Entry(target, extra)
        self._loaded.pop(name, None)

    def _discover(self) -> None:
        if self._discovered or self.group is None:
            return
        self._discovered = True
        for ep in entry_points(group=self.group):
            target = ep.value.split("[", 1)[0].strip()
            self._entries.setdefault(ep.name, Entry(target, ",".join(ep.extras)))

    def names(self) -> list[str]:
        """Return every registered name, built-in and plugin, sorted."""
        self._discover()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return str(name) in self.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def entry(self, name: str) -> Entry:
        """Return where `name` is registered; ConfigError with the valid names if it is not."""
        self._discover()
        entry = self._entries.get(str(name))
        if entry is None and ":" in str(name):  # "package.module:Object", a plugin in development
            entry = Entry(str(name))
        if entry is None:
            raise unknown_name(self.kind, str(name), self._entries)
        return entry

    def get(self, name: str) -> T:
        """Return the object registered as `name`, importing it now; errors say what to do."""
        key = str(name)
        if key in self._loaded:
            return self._loaded[key]
        entry = self.entry(key)
        module_name, _, attr = entry.target.partition(":")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except AttributeError as exc:
            raise unknown_name(self.kind, key, self._entries) from exc
        except ImportError as exc:
            raise BackendUnavailable(f"The {self.kind} '{key}' cannot be imported here: {exc}.",
                                     _install_fix(entry.extra)) from exc
        self._check(entry, obj)
        self._loaded[key] = obj
        return obj

    def _check(self, entry: Entry, obj: Any) -> None:
        if self.base is None:
            if not callable(obj):
                raise ConfigError(f"{entry.target} is not a {self.kind}: it is not callable.",
                                  f"Point the entry point at the {self.kind} function.")
        elif not (isinstance(obj, type) and issubclass(obj, self.base)):
            raise ConfigError(f"{entry.target} is not a {self.kind}: it does not subclass "
                              f"{self.base.__module__}.{self.base.__name__}.",
                              f"Derive it from {self.base.__name__} (see README).")


def _install_fix(extra: str) -> str:
    if extra:
        return (f"Install it with `pip install -e '.[{extra}]'` "
                f"(or `make setup OPTIONAL={extra}`).")
    return "Install the package that provides it."


Factory = Callable[..., Any]
