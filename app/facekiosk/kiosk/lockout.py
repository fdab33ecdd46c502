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


class KioskLockout:
    """Locks the whole kiosk after `max_failures` failed attempts within a window of
    `window_s` (unknown faces, presentation attacks, PIN lockouts): slows probing."""

    def __init__(
        self,
        store: CounterStore,
        kiosk_id: str,
        *,
        max_failures: int,
        window_s: float,
        backoff: Backoff,
    ) -> None:
        self._store = store
        self._prefix = f"kiosk.failures.{kiosk_id}"
        self._max = max_failures
        self._window = window_s
        self._backoff = backoff

    def remaining(self, now: float) -> float:
        return max(0.0, self._store.get_counter(f"{self._prefix}.until", 0) - now)

    def record_failure(self, now: float) -> float:
        """Count one failure; returns the lockout length when this one trips it, else 0."""
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
