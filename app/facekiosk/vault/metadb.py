"""The SQLite metadata connection shared by the vault's rooms: one lock, one transaction
helper, and listeners told after each commit or rollback (the audit head anchor is written
only once its entry is committed). Change listeners (`on_change`, e.g. the site sync) are
called after every commit, never after a rollback; one that raises is logged and ignored:
the write has already happened and its caller must not see another's failure."""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from facekiosk.vault.errors import VaultDiskFullError, VaultKeyError, disk_is_full
from facekiosk.vault.metadata import METADATA_FILE, is_read_only

log = logging.getLogger(__name__)


class TxListener(Protocol):
    def committed(self) -> None: ...

    def rolled_back(self) -> None: ...


def now() -> datetime:
    return datetime.now(UTC)


def iso(at: datetime | None) -> str | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (e.g. datetime.now(UTC))")
    return at.astimezone(UTC).isoformat()


def parse_dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class MetaDb:
    """`conn` is used under `lock` (an RLock: a room may call another inside a write)."""

    def __init__(self, conn: sqlite3.Connection, data_dir: Path) -> None:
        self.conn = conn
        self.data_dir = data_dir
        self.read_only = is_read_only(conn)  # opened on a full disk
        self.lock = threading.RLock()
        self.listeners: list[TxListener] = []
        self.change_listeners: list[Callable[[], None]] = []

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            if self.read_only:
                raise VaultDiskFullError(self.data_dir)
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                self._raise_if_full(exc)
                raise
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:  # a failed COMMIT may have ended it
                    self.conn.execute("ROLLBACK")
                for listener in self.listeners:
                    listener.rolled_back()
                if isinstance(exc, sqlite3.OperationalError | OSError):
                    self._raise_if_full(exc)
                raise
            for listener in self.listeners:
                listener.committed()
            for changed in list(self.change_listeners):
                try:
                    changed()
                except Exception:
                    log.exception("a vault change listener failed (the write is committed)")

    def on_change(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Call `fn()` after each commit (in the writer's thread, the write lock still
        held: it must be quick and must not write to the vault); returns its remover."""
        with self.lock:
            self.change_listeners.append(fn)

        def remove() -> None:
            with self.lock:
                if fn in self.change_listeners:
                    self.change_listeners.remove(fn)

        return remove

    def _raise_if_full(self, exc: Exception) -> None:
        """A full disk as one clear VaultError (SQLite says "database or disk is full", or
        on some file systems "disk I/O error")."""
        full = getattr(exc, "errno", None) == errno.ENOSPC or "full" in str(exc)
        if full or disk_is_full(self.data_dir):
            raise VaultDiskFullError(self.data_dir) from exc

    def bind(self, vault_id: str) -> None:
        """Tie the metadata to the keys' vault id on first open; refuse another vault's."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='vault_id'").fetchone()
        if row is None:
            with self.tx() as conn:
                conn.execute("INSERT INTO meta(key, value) VALUES ('vault_id', ?)", (vault_id,))
        elif row[0] != vault_id:
            raise VaultKeyError(
                f"{METADATA_FILE} belongs to vault {row[0]}, the keys to {vault_id}"
            )

    def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it (after a purge, under
        secure_delete: no old page survives in the WAL)."""
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.conn.close()
