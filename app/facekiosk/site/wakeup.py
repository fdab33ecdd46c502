"""A self-pipe: the vault's commit listener (any writer's thread) writes one byte; the
site sync thread `select`s on its read end beside the hub's socket, so a local enrolment
or purge starts a push at once instead of at the next poll."""

from __future__ import annotations

import contextlib
import os


class Wakeup:
    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        os.set_blocking(self._w, False)  # a writer never waits on the sync thread

    def fileno(self) -> int:
        return self._r

    def set(self) -> None:
        if self._w < 0:
            return  # closed: the sync has stopped
        with contextlib.suppress(BlockingIOError):  # full: a wake-up is already pending
            os.write(self._w, b"\0")

    def drain(self) -> bool:
        """Empty the pipe; True when something had been written since the last drain."""
        woken = False
        while True:
            try:
                chunk = os.read(self._r, 4096)
            except BlockingIOError:
                return woken
            if not chunk:
                return woken
            woken = True

    def close(self) -> None:
        """Once nothing can call `set` any more (the listener removed, the thread ended)."""
        if self._w >= 0:
            os.close(self._r)
            os.close(self._w)
            self._r = self._w = -1
