"""TrialSessions: the one owner of a run's sessions, from the first load to the last close.

The first session serves the first inference, the accuracy check and trial 0 (so trial 0 runs
on an already-warm session); each later trial gets a freshly loaded one, the previous closed
first. After the trials, `after_trials(load)` closes the last trial's session and opens one
more, for work that must not touch the timed trials (the operator profile); no trial may follow.
Leaving the `with` block, normally or on an exception, closes whatever is still open.
Every session is closed exactly once, and only here.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from harness.backends.base import Session

S = TypeVar("S", bound=Session)


class TrialSessions:
    """Context manager handing out the session of each trial; closes each one exactly once."""

    def __init__(self, load: Callable[[], Session]) -> None:
        self._load = load
        self._current: Session | None = None
        self._trial = -1  # the trial the current session serves; -1 before trial 0
        self._loaded = 0
        self._after = False  # after_trials() was called: no trial may follow

    def __enter__(self) -> TrialSessions:
        return self

    def first(self) -> Session:
        """Return the first session, loading it on the first call."""
        if self._loaded == 0:
            self._current = self._load()
            self._loaded = 1
        if self._current is None or self._trial > 0 or self._after:
            raise RuntimeError("The first session is closed: a later trial has begun.")
        return self._current

    def __call__(self, trial: int) -> Session:
        """Return the session for `trial` (0, 1, ... in order): the first, then a fresh one."""
        if self._after or trial != self._trial + 1:
            raise RuntimeError(f"Trial {trial} asked for after trial {self._trial}"
                               f"{' and after the trials ended' if self._after else ''}.")
        if trial == 0:
            session = self.first()
        else:
            self._close_current()
            session = self._current = self._load()
            self._loaded += 1
        self._trial = trial
        return session

    def after_trials(self, load: Callable[[], S]) -> S:
        """Close the last trial's session, then return a new session from `load`, owned (and
        closed) like the others; trials can no longer be asked for."""
        if self._after:
            raise RuntimeError("after_trials() was already called.")
        self._after = True
        self._close_current()
        session = load()
        self._current = session
        self._loaded += 1
        return session

    @property
    def loaded(self) -> int:
        """Return how many sessions have been loaded so far."""
        return self._loaded

    def _close_current(self) -> None:
        session, self._current = self._current, None  # forget it first: never closed twice
        if session is not None:
            session.close()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            self._close_current()
            return
        try:
            self._close_current()
        except Exception as close_exc:  # keep the run's own error; note the failed close on it
            exc.add_note(f"Closing the session also failed: {close_exc!r}")
