"""Lockouts with exponential backoff, per Index ID (wrong PINs) and per kiosk (failures).

Times are wall-clock epoch seconds (whole seconds, rounded up) so a lockout
survives a restart. Each new lockout of the same key lasts twice as long as
the previous one, up to a cap; a successful PIN clears an Index ID's history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from facekiosk.kiosk.store import CounterStore


@dataclass(frozen=True)
class Backoff:
    base_s: float
    max_s: float

    def duration(self, lock_number: int) -> float:
        return min(self.base_s * 2 ** max(lock_number - 1, 0), self.max_s)


class IdLockouts:
    """Per-Index-ID PIN lockouts (the counter keys contain the Index ID, so a purge
    removes them with the record)."""

    def __init__(self, store: CounterStore, backoff: Backoff) -> None:
        self._store = store
        self._backoff = backoff

    def remaining(self, index_id: str, now: float) -> float:
        until = self._store.get_counter(f"kiosk.pin_lock_until.{index_id}", 0)
        return max(0.0, until - now)

    def lock(self, index_id: str, now: float) -> float:
        """Start the next lockout; returns its length in seconds."""
        locks = self._store.get_counter(f"kiosk.pin_locks.{index_id}", 0) + 1
        duration = self._backoff.duration(locks)
        self._store.set_counter(f"kiosk.pin_locks.{index_id}", locks)
        self._store.set_counter(f"kiosk.pin_lock_until.{index_id}", math.ceil(now + duration))
        return duration

    def clear(self, index_id: str) -> None:
        self._store.delete_counter(f"kiosk.pin_locks.{index_id}")
        self._store.delete_counter(f"kiosk.pin_lock_until.{index_id}")


class FailureLimiter:
    """Pauses one key after `max_failures` failures within `window_s`; each pause of the
    same key lasts twice as long as the one before (up to the backoff's cap)."""

    def __init__(
        self,
        store: CounterStore,
        prefix: str,
        *,
        max_failures: int,
        window_s: float,
        backoff: Backoff,
    ) -> None:
        self._store = store
        self._prefix = prefix
        self._max = max_failures
        self._window = window_s
        self._backoff = backoff

    def until(self) -> float:
        """Wall-clock epoch seconds when the current pause ends (0: never paused)."""
        return float(self._store.get_counter(f"{self._prefix}.until", 0))

    def remaining(self, now: float) -> float:
        return max(0.0, self.until() - now)

    def idle(self, now: float) -> bool:
        """No pause running and the failure window is over: nothing worth keeping."""
        start = self._store.get_counter(f"{self._prefix}.window_start", 0)
        return self.remaining(now) <= 0 and now - start >= self._window

    def paused_before(self) -> bool:
        return self._store.get_counter(f"{self._prefix}.locks", 0) > 0

    def record_failure(self, now: float) -> float:
        """Count one failure; returns the pause length when this one trips it, else 0."""
        get, put = self._store.get_counter, self._store.set_counter
        start = get(f"{self._prefix}.window_start", 0)
        count = get(f"{self._prefix}.count", 0)
        if now - start >= self._window:
            start, count = math.floor(now), 0
        count += 1
        duration = 0.0
        if count >= self._max:
            locks = get(f"{self._prefix}.locks", 0) + 1
            duration = self._backoff.duration(locks)
            put(f"{self._prefix}.locks", locks)
            put(f"{self._prefix}.until", math.ceil(now + duration))
            count = 0
        put(f"{self._prefix}.window_start", start)
        put(f"{self._prefix}.count", count)
        return duration


class KioskLockout(FailureLimiter):
    """The whole kiosk, the last resort against a flood: `max_failures` failed attempts
    within `window_s` from sources that were never paused themselves (a paused source is
    held back by SourceThrottle, so one person failing again and again does not lock out
    the queue behind them). The pause survives a restart (the vault keeps the counters)."""

    def __init__(
        self,
        store: CounterStore,
        kiosk_id: str,
        *,
        max_failures: int,
        window_s: float,
        backoff: Backoff,
    ) -> None:
        super().__init__(
            store, f"kiosk.failures.{kiosk_id}", max_failures=max_failures, window_s=window_s,
            backoff=backoff,
        )  # fmt: skip
