"""Append-only audit log, hash-chained with HMAC-SHA256.

Each entry's MAC covers its own fields and the previous entry's MAC, keyed by a
secret kept in the vault's key envelope: editing, inserting or deleting a row breaks
the chain from that row on, and it cannot be re-forged without the vault key.
Details must never contain biometrics, PINs or labels (callers pass IDs and counts).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from facekiosk.vault.records import AuditEntry, AuditVerification

GENESIS = "0" * 64


def _mac(key: bytes, prev: str, seq: int, at: str, actor: str, action: str, details: str) -> str:
    message = json.dumps([prev, seq, at, actor, action, details], separators=(",", ":"))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def append(
    conn: sqlite3.Connection, key: bytes, action: str, actor: str, details: dict[str, Any]
) -> int:
    """Insert one entry; the caller holds the write transaction."""
    row = conn.execute("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = datetime.now(UTC).isoformat()
    text = json.dumps(details, sort_keys=True, default=str)
    mac = _mac(key, prev, seq, at, actor, action, text)
    conn.execute(
        "INSERT INTO audit(seq, at, actor, action, details, mac) VALUES (?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, text, mac),
    )
    return seq


def entries(
    conn: sqlite3.Connection, since_seq: int = 0, limit: int | None = None
) -> list[AuditEntry]:
    rows = conn.execute(
        "SELECT seq, at, actor, action, details, mac FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
        (since_seq, -1 if limit is None else limit),
    ).fetchall()
    return [
        AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], json.loads(r[4]), r[5])
        for r in rows
    ]


def verify(conn: sqlite3.Connection, key: bytes) -> AuditVerification:
    prev, expected_seq, checked = GENESIS, 1, 0
    for seq, at, actor, action, details, mac in conn.execute(
        "SELECT seq, at, actor, action, details, mac FROM audit ORDER BY seq"
    ):
        if seq != expected_seq:
            return AuditVerification(False, checked, seq, f"entry {expected_seq} is missing")
        good = _mac(key, prev, seq, at, actor, action, details)
        if not hmac.compare_digest(good, str(mac)):
            return AuditVerification(False, checked, seq, "entry was altered (MAC mismatch)")
        prev, expected_seq, checked = mac, seq + 1, checked + 1
    return AuditVerification(True, checked)
