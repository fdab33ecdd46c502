"""PIN hashes and the small counters the kiosk's lockout policy keeps (policy is the
caller's; this stores and compares). Counters whose key contains an Index ID are purged
with it."""

from __future__ import annotations

import sqlite3

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.crypto import hash_secret, verify_secret
from facekiosk.vault.errors import UnknownIndexId
from facekiosk.vault.metadb import MetaDb, iso, now


class Credentials:
    def __init__(self, db: MetaDb, trail: AuditTrail) -> None:
        self.db = db
        self.trail = trail

    def set_pin(self, index_id: str, pin: str) -> None:
        if not pin:
            raise ValueError("empty PIN")
        salt, digest, params = hash_secret(pin)
        with self.db.tx() as conn:
            known = conn.execute("SELECT 1 FROM identities WHERE index_id=?", (index_id,))
            if known.fetchone() is None:
                raise UnknownIndexId([index_id])
            conn.execute(
                "INSERT OR REPLACE INTO pins(index_id, salt, hash, params, set_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (index_id, salt, digest, params, iso(now())),
            )
            self.trail.append(conn, "pin_set", "kiosk", {"index_id": index_id})

    def verify_pin(self, index_id: str, pin: str) -> bool:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT salt, hash, params FROM pins WHERE index_id=?", (index_id,)
            ).fetchone()
        if row is None:
            return False
        return verify_secret(pin, row[0], row[1], row[2])

    def has_pin(self, index_id: str) -> bool:
        with self.db.lock:
            row = self.db.conn.execute("SELECT 1 FROM pins WHERE index_id=?", (index_id,))
            return row.fetchone() is not None

    def clear_pin(self, index_id: str) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM pins WHERE index_id=?", (index_id,))

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
