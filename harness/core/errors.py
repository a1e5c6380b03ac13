"""Error hierarchy: every HarnessError says what went wrong and what to do about it."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Iterable
from typing import NoReturn


class HarnessError(Exception):
    """A user-facing error; `str()` is one paragraph: what happened, then the fix."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}".strip())


class ConfigError(HarnessError):
    """A config value is wrong: unknown name, bad type, impossible combination."""


class ModelError(HarnessError):
    """A model cannot be built, read, exported or checked."""


class QuantisationError(HarnessError):
    """A quantisation recipe cannot be applied to this model."""


class BackendUnavailable(HarnessError):
    """A backend, device or execution provider is not installed or not present here."""


class UnsupportedError(HarnessError):
    """A backend cannot run this artifact (format, precision, operator, input)."""


class MeasurementError(HarnessError):
    """A measurement could not be taken or would not be trustworthy."""


class ResultsError(HarnessError):
    """A run record cannot be written or read."""


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """Return ' Did you mean X?' for the closest valid name, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


#: Lines of a runtime's message that say where it was raised, not what went wrong.
_NOISE = re.compile(r"^(Exception from \S+:\d+:?|Check '.*' failed at \S+:\d+:?|Summary:|"
                    r"Traceback \(most recent call last\):|File \".*\", line \d+.*)$")


def reason_of(exc: BaseException, max_lines: int = 8, max_chars: int = 600) -> str:
    """Return a runtime exception's message as one line: its first meaningful lines (source
    positions such as "Exception from src/.../core.cpp:84:" dropped), at most `max_chars`."""
    lines = [line.strip().removeprefix("-- ") for line in str(exc).splitlines()]
    kept = [line for line in lines if line and not _NOISE.match(line)][:max_lines]
    text = " ".join(kept) or type(exc).__name__
    return text if len(text) <= max_chars else text[:max_chars - 1] + "…"


def unknown_name(kind: str, name: str, valid: Iterable[str]) -> ConfigError:
    """Build the error for an unknown registry name, listing the valid ones."""
    valid = sorted(valid)
    return ConfigError(
        f"Unknown {kind} '{name}'.{did_you_mean(name, valid)}",
        f"Valid {kind} names: {', '.join(valid) or '(none installed)'}.",
    )


def exit_with(run: Callable[[], int]) -> NoReturn:
    """Exit with `run()`'s status; a HarnessError prints its message (no traceback), exits 2."""
    try:
        status = run()
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(status)
