"""Where lockout counters live: small named integers.

The vault is such a store (`get_counter/set_counter/delete_counter`, counters whose
key contains an Index ID are purged with it), so lockouts survive a restart: a
reboot must not reset someone's PIN lockout. `MemoryCounters` is for tools and
unit tests of the lockout arithmetic.
"""

from __future__ import annotations

from typing import Protocol


class CounterStore(Protocol):
    def get_counter(self, key: str, default: int = 0) -> int: ...

    def set_counter(self, key: str, value: int) -> None: ...

    def delete_counter(self, key: str) -> None: ...


class MemoryCounters:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def get_counter(self, key: str, default: int = 0) -> int:
        return self.values.get(key, default)

    def set_counter(self, key: str, value: int) -> None:
        self.values[key] = int(value)

    def delete_counter(self, key: str) -> None:
        self.values.pop(key, None)
