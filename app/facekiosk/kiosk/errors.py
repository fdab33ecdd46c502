"""The session's two kinds of failure: a UI bug (KioskError) and a storage or engine
failure mid-step (fail_safe turns it into a SYSTEM_ERROR result)."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from facekiosk.engine.types import EngineError
from facekiosk.vault import VaultError

log = logging.getLogger(__name__)

SYSTEM_FAILURES = (VaultError, EngineError, sqlite3.Error, OSError)


class KioskError(RuntimeError):
    """A call that makes no sense in the current state (a UI bug, not a person's error)."""


class Recovers(Protocol):
    def _system_failure(self) -> object: ...


_P = ParamSpec("_P")
_S = TypeVar("_S", bound=Recovers)
_R = TypeVar("_R")


def fail_safe(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """A storage or engine failure mid-step ends the attempt with SYSTEM_ERROR (and drops
    what it held) instead of leaving the kiosk half-way; the cause goes to the log."""

    @functools.wraps(method)
    def wrapper(self: _S, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except SYSTEM_FAILURES:
            log.exception("kiosk step %s failed", method.__name__)
            return self._system_failure()  # type: ignore[return-value]

    return wrapper
