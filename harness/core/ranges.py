"""Range checks for config dataclasses: one table per dataclass, checked in `__post_init__`.

`check_fields(cfg, "scenario", RANGES)` rejects, with a ConfigError naming the key and the
valid range, any value outside its `Range`, and any non-finite float (NaN, ±inf) in any field
of the dataclass, listed in the table or not. Fields without a row are otherwise unchecked.
"""

from __future__ import annotations

import math
from dataclasses import Field, dataclass, fields
from typing import Any

from harness.core.errors import ConfigError


@dataclass(frozen=True)
class Range:
    """Allowed numbers: lo/hi bounds (open or closed) and whether None is allowed."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    none: str = ""  # what None means when allowed ("the runtime default"); "" = not allowed

    def holds(self, value: float) -> bool:
        """Return True when `value` lies inside the range."""
        if self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo):
            return False
        return not (self.hi is not None and (value >= self.hi if self.hi_open else value > self.hi))

    def describe(self, noun: str = "a number") -> str:
        """Return the range in words, e.g. 'a number > 0' or 'an integer in [0, 10]'."""
        if self.lo is not None and self.hi is not None:
            text = (f"{noun} in {'(' if self.lo_open else '['}{self.lo:g}, "
                    f"{self.hi:g}{')' if self.hi_open else ']'}")
        elif self.lo is not None:
            text = f"{noun} {'>' if self.lo_open else '>='} {self.lo:g}"
        elif self.hi is not None:
            text = f"{noun} {'<' if self.hi_open else '<='} {self.hi:g}"
        else:
            text = f"a finite {noun.split()[-1]}"
        return text + (f", or null for {self.none}" if self.none else "")


def at_least(lo: float, none: str = "") -> Range:
    """Return the range value >= lo (null allowed, meaning `none`, when given)."""
    return Range(lo=lo, none=none)


def above(lo: float, none: str = "") -> Range:
    """Return the range value > lo (null allowed, meaning `none`, when given)."""
    return Range(lo=lo, lo_open=True, none=none)


def _fail(key: str, value: Any, rule: Range, f: Field) -> ConfigError:
    noun = "an integer" if "int" in str(f.type) and "float" not in str(f.type) else "a number"
    shown = "null" if value is None else repr(value)
    finite = not isinstance(value, float) or math.isfinite(value)
    bad = "is out of range" if finite else "is not a finite number"
    default = "null" if f.default is None else f.default
    return ConfigError(f"{key}={shown} {bad}: it must be {rule.describe(noun)}.",
                       f"Fix the value, e.g. {key}={default} (the default).")


def check_fields(cfg: Any, prefix: str, ranges: dict[str, Range]) -> None:
    """Raise ConfigError for the first field of `cfg` outside its range or not finite."""
    for f in fields(cfg):
        value, key = getattr(cfg, f.name), f"{prefix}.{f.name}" if prefix else f.name
        rule = ranges.get(f.name)
        if isinstance(value, bool) or not isinstance(value, int | float | type(None)):
            continue
        if value is None:
            if rule is not None and not rule.none:
                raise _fail(key, value, rule, f)
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail(key, value, rule or Range(), f)
        if rule is not None and not rule.holds(value):
            raise _fail(key, value, rule, f)
