"""API keys of the integrator API: created, listed, revoked; stored only as a keyed hash.

A key is `fk_<key id>_<secret>`, shown once. The vault keeps HMAC-SHA256(pepper, secret),
the pepper derived from the vault key: a copied `vault.sqlite` alone cannot test guesses.
The secret has 256 bits, so a fast hash suffices (scrypt, as for PINs, would cost ~50 ms a
call and cap the API near 20 requests/s). Checks compare in constant time.

Creating and revoking a key are hash-chained audit entries. Calls are counted per day, key,
endpoint and HTTP status in `api_usage` (flushed in batches by the API, see api/usage.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.errors import VaultError
from facekiosk.vault.metadb import MetaDb, iso, now, parse_dt

SCOPES = ("read", "write", "delete")
_TOKEN = re.compile(r"^fk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_DUMMY = b"\0" * 32  # compared against when the key id is unknown: same work either way


class UnknownApiKey(VaultError, KeyError):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"no API key {key_id!r} (see `facekiosk api keys list`)")

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    scopes: tuple[str, ...]
    label: str
    created: datetime
    expires: datetime | None
    revoked: datetime | None
    last_used: datetime | None

    def state(self, at: datetime | None = None) -> str:
        """"active", "revoked" or "expired"."""
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and (at or now()) >= self.expires:
            return "expired"
        return "active"


@dataclass(frozen=True)
class NewApiKey:
    record: ApiKeyRecord
    token: str  # shown once: the vault keeps only its hash


@dataclass(frozen=True)
class KeyCheck:
    record: ApiKeyRecord | None
    problem: str = ""  # "", "malformed", "unknown", "revoked", "expired"


class ApiKeys:
    def __init__(self, db: MetaDb, trail: AuditTrail, pepper: bytes) -> None:
        self.db = db
        self.trail = trail
        self._pepper = pepper

    def _hash(self, secret: str) -> bytes:
        return hmac.new(self._pepper, secret.encode("ascii"), hashlib.sha256).digest()

    def create(
        self, scopes: Sequence[str], *, label: str = "", expires: datetime | None = None,
        actor: str = "admin",
    ) -> NewApiKey:  # fmt: skip
        wanted = tuple(s for s in SCOPES if s in set(scopes))  # canonical order
        bad = sorted(set(scopes) - set(SCOPES))
        if bad or not wanted:
            raise ValueError(f"scopes must be among {', '.join(SCOPES)} (got {list(scopes)})")
        if expires is not None and expires <= now():
            raise ValueError("the expiry is in the past")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        created = now()
        with self.db.tx() as conn:
            conn.execute(
                "INSERT INTO api_keys(key_id, hash, scopes, label, created, expires)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, self._hash(secret), " ".join(wanted), label, iso(created), iso(expires)),
            )
            details = {"key_id": key_id, "scopes": list(wanted), "expires": iso(expires)}
            self.trail.append(conn, "api_key_create", actor, details)
        record = ApiKeyRecord(key_id, wanted, label, created, expires, None, None)
        return NewApiKey(record, f"fk_{key_id}_{secret}")

    def revoke(self, key_id: str, *, actor: str = "admin") -> None:
        with self.db.tx() as conn:
            row = conn.execute("SELECT revoked FROM api_keys WHERE key_id=?", (key_id,)).fetchone()
            if row is None:
                raise UnknownApiKey(key_id)
            if row[0] is None:
                conn.execute("UPDATE api_keys SET revoked=? WHERE key_id=?", (iso(now()), key_id))
                self.trail.append(conn, "api_key_revoke", actor, {"key_id": key_id})

    def all(self) -> list[ApiKeyRecord]:
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT key_id, scopes, label, created, expires, revoked, last_used"
                " FROM api_keys ORDER BY created"
            ).fetchall()
        return [_record(r) for r in rows]

    def check(self, token: str) -> KeyCheck:
        """Which key `token` is and whether it may be used now (constant-time compare)."""
        m = _TOKEN.match(token)
        if m is None:
            return KeyCheck(None, "malformed")
        key_id, secret = m.groups()
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT key_id, scopes, label, created, expires, revoked, last_used, hash"
                " FROM api_keys WHERE key_id=?",
                (key_id,),
            ).fetchone()
        stored = bytes(row[7]) if row is not None else _DUMMY
        if not hmac.compare_digest(self._hash(secret), stored) or row is None:
            return KeyCheck(None, "unknown")
        record = _record(row[:7])
        state = record.state()
        return KeyCheck(record, "" if state == "active" else state)

    # --- call counters --------------------------------------------------------------------

    def add_usage(
        self, counts: dict[tuple[str, str, str, int], int], last_used: dict[str, datetime]
    ) -> None:
        """Add (day, key id, endpoint, status) -> calls; one transaction per flush."""
        if not counts and not last_used:
            return
        with self.db.tx() as conn:
            conn.executemany(
                "INSERT INTO api_usage(day, key_id, endpoint, status, calls)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(day, key_id, endpoint, status)"
                " DO UPDATE SET calls = calls + excluded.calls",
                [(*k, n) for k, n in counts.items()],
            )
            conn.executemany(
                "UPDATE api_keys SET last_used=? WHERE key_id=?",
                [(iso(at), key_id) for key_id, at in last_used.items()],
            )

    def usage(self, since_day: str = "") -> list[tuple[str, str, str, int, int]]:
        """(day, key id, endpoint, status, calls) rows from `since_day` (YYYY-MM-DD) on."""
        with self.db.lock:
            rows: Iterable[tuple[str, str, str, int, int]] = self.db.conn.execute(
                "SELECT day, key_id, endpoint, status, calls FROM api_usage WHERE day >= ?"
                " ORDER BY day, key_id, endpoint, status",
                (since_day,),
            ).fetchall()
        return list(rows)


def _record(r: Sequence[object]) -> ApiKeyRecord:
    return ApiKeyRecord(
        str(r[0]), tuple(str(r[1]).split()), str(r[2] or ""), parse_dt(str(r[3])),  # type: ignore[arg-type]
        parse_dt(r[4]), parse_dt(r[5]), parse_dt(r[6]),  # type: ignore[arg-type]
    )  # fmt: skip
