"""PIN hashes and the small counters the kiosk's lockout policy keeps (policy is the
caller's; this stores and compares). Counters whose key contains an Index ID are purged
with it. PIN hashes are keyed with a secret derived from the sealed key ring (see
crypto.hash_secret); hashes of older releases (plain scrypt) still verify and are re-hashed
keyed on their next successful check."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.crypto import hash_secret, is_keyed, verify_secret
from facekiosk.vault.errors import UnknownIndexId, VaultError
from facekiosk.vault.metadb import MetaDb, iso, now

log = logging.getLogger(__name__)


class Credentials:
    def __init__(self, db: MetaDb, trail: AuditTrail, pepper: bytes) -> None:
        self.db = db
        self.trail = trail
        self._pepper = pepper
        # Site sync: opens the pepper sealed in an imported PIN hash's params (transfer.py).
        self.open_pepper: Callable[[dict[str, Any]], bytes] | None = None

    @property
    def pepper(self) -> bytes:
        return self._pepper

    def set_pin(self, index_id: str, pin: str, *, actor: str = "kiosk") -> None:
        if not pin:
            raise ValueError("empty PIN")
        salt, digest, params = hash_secret(pin, self._pepper)
        with self.db.tx() as conn:
            known = conn.execute("SELECT 1 FROM identities WHERE index_id=?", (index_id,))
            if known.fetchone() is None:
                raise UnknownIndexId([index_id])
            conn.execute(
                "INSERT OR REPLACE INTO pins(index_id, salt, hash, params, set_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (index_id, salt, digest, params, iso(now())),
            )
            self.trail.append(conn, "pin_set", actor, {"index_id": index_id})

    def verify_pin(self, index_id: str, pin: str) -> bool:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT salt, hash, params FROM pins WHERE index_id=?", (index_id,)
            ).fetchone()
        if row is None:
            return False
        params, pepper = row[2], self._pepper
        foreign = json.loads(params)
        if "pepper_ct" in foreign and self.open_pepper is not None:  # imported by site sync
            pepper = self.open_pepper(foreign)
            params = json.dumps({k: v for k, v in foreign.items() if k != "pepper_ct"})
        if not verify_secret(pin, row[0], row[1], params, pepper):
            return False
        if not is_keyed(row[2]) or pepper is not self._pepper:  # re-key with our own pepper
            self._upgrade(index_id, pin, row[1])
        return True

    def _upgrade(self, index_id: str, pin: str, old_hash: bytes) -> None:
        """Re-hash an older release's unkeyed PIN hash keyed (a failure, e.g. a full disk,
        leaves the old hash in place: the PIN was right and the person is let in)."""
        salt, digest, params = hash_secret(pin, self._pepper)
        try:
            with self.db.tx() as conn:
                conn.execute(
                    "UPDATE pins SET salt=?, hash=?, params=? WHERE index_id=? AND hash=?",
                    (salt, digest, params, index_id, old_hash),
                )
        except (VaultError, sqlite3.Error) as exc:
            log.warning("could not upgrade an unkeyed PIN hash (kept the old one): %s", exc)

    def has_pin(self, index_id: str) -> bool:
        with self.db.lock:
            row = self.db.conn.execute("SELECT 1 FROM pins WHERE index_id=?", (index_id,))
            return row.fetchone() is not None

    def clear_pin(self, index_id: str, actor: str = "admin") -> None:
        """Remove the PIN; audited (the change feed pushes it to a site) when there was one."""
        with self.db.tx() as conn:
            cur = conn.execute("DELETE FROM pins WHERE index_id=?", (index_id,))
            if cur.rowcount:
                self.trail.append(conn, "pin_clear", actor, {"index_id": index_id})

    def get_counter(self, key: str, default: int = 0) -> int:
        with self.db.lock:
            row = self.db.conn.execute("SELECT value FROM counters WHERE key=?", (key,)).fetchone()
        return default if row is None else int(row[0])

    def set_counter(self, key: str, value: int) -> None:
        with self.db.tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO counters(key, value, updated) VALUES (?, ?, ?)",
                (key, int(value), iso(now())),
            )

    def delete_counter(self, key: str) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM counters WHERE key=?", (key,))

    def purge(self, conn: sqlite3.Connection, ids: list[str]) -> int:
        """Inside the purge transaction: PINs and counters of `ids`; rows removed."""
        marks = ",".join("?" * len(ids))
        rows = conn.execute(f"DELETE FROM pins WHERE index_id IN ({marks})", ids).rowcount
        for i in ids:
            rows += conn.execute("DELETE FROM counters WHERE instr(key, ?) > 0", (i,)).rowcount
        return rows
