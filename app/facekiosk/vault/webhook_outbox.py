"""Webhooks and their durable outbox, in the metadata database.

The outbox is fed from the vault's change feed (`events_after` + `audit_entries`): the
webhook dispatcher reads what is new after its two cursors and `enqueue`s one row per
(webhook, event) while moving the cursors, in ONE transaction, so an event is queued once
and never lost, whatever crashes. Rows leave the queue only when the receiver said 2xx;
each webhook's rows go out in id order (the next waits for the one before it).

A webhook's signing secret is not stored: it is HMAC(vault subkey, webhook id + nonce),
recomputed when needed, so a copied `vault.sqlite` alone cannot forge deliveries.
Bodies never hold biometrics (the dispatcher builds them from IDs, times and codes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.errors import VaultError
from facekiosk.vault.metadb import MetaDb, iso, now, parse_dt

WEBHOOK_EVENTS = ("enroll", "auth", "delete")
_CURSORS = ("webhook_event_cursor", "webhook_audit_cursor")


class UnknownWebhook(VaultError, KeyError):
    def __init__(self, webhook_id: int) -> None:
        super().__init__(f"no webhook {webhook_id} (see `facekiosk api webhooks list`)")

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class WebhookRecord:
    id: int
    url: str
    events: tuple[str, ...]
    created: datetime
    enabled: bool


@dataclass(frozen=True)
class OutboxItem:
    """One change for the receivers: `event` in WEBHOOK_EVENTS, a key unique in this vault."""

    event_key: str
    event: str
    body: str  # JSON, built without biometrics


@dataclass(frozen=True)
class Delivery:
    id: int
    webhook_id: int
    event_key: str
    event: str
    body: str
    attempts: int
    next_at: datetime | None
    delivered_at: datetime | None
    last_error: str


class WebhookOutbox:
    def __init__(self, db: MetaDb, trail: AuditTrail, subkey: bytes) -> None:
        self.db = db
        self.trail = trail
        self._subkey = subkey

    # --- the admin's webhooks -------------------------------------------------------------

    def add(self, url: str, events: Sequence[str], *, actor: str = "admin") -> WebhookRecord:
        wanted = tuple(e for e in WEBHOOK_EVENTS if e in set(events))
        bad = sorted(set(events) - set(WEBHOOK_EVENTS))
        if bad or not wanted:
            raise ValueError(f"events must be among {', '.join(WEBHOOK_EVENTS)} (got {events})")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must start with http:// or https:// (got {url!r})")
        created = now()
        with self.db.tx() as conn:
            if not self._enabled_count(conn):  # the first webhook starts at the feed's head
                self._set_cursors(conn, *self._heads(conn))
            cur = conn.execute(
                "INSERT INTO webhooks(url, events, nonce, created, enabled) VALUES (?,?,?,?,1)",
                (url, " ".join(wanted), secrets.token_hex(16), iso(created)),
            )
            webhook_id = int(cur.lastrowid or 0)
            self.trail.append(conn, "webhook_add", actor, {"webhook_id": webhook_id,
                                                          "events": list(wanted)})  # fmt: skip
        return WebhookRecord(webhook_id, url, wanted, created, True)

    def remove(self, webhook_id: int, *, actor: str = "admin") -> None:
        """The webhook and its undelivered rows go."""
        with self.db.tx() as conn:
            if conn.execute("DELETE FROM webhooks WHERE id=?", (webhook_id,)).rowcount == 0:
                raise UnknownWebhook(webhook_id)
            conn.execute("DELETE FROM webhook_outbox WHERE webhook_id=?", (webhook_id,))
            self.trail.append(conn, "webhook_remove", actor, {"webhook_id": webhook_id})

    def all(self) -> list[WebhookRecord]:
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT id, url, events, created, enabled FROM webhooks ORDER BY id"
            ).fetchall()
        return [
            WebhookRecord(r[0], r[1], tuple(r[2].split()), parse_dt(r[3]) or now(), bool(r[4]))
            for r in rows
        ]

    def secret(self, webhook_id: int) -> str:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT nonce FROM webhooks WHERE id=?", (webhook_id,)
            ).fetchone()
        if row is None:
            raise UnknownWebhook(webhook_id)
        message = f"{webhook_id}/{row[0]}".encode()
        return "whsec_" + hmac.new(self._subkey, message, hashlib.sha256).hexdigest()

    # --- the feed into the outbox ---------------------------------------------------------

    def cursors(self) -> tuple[int, int]:
        """(last event id, last audit seq) already turned into outbox rows (before any
        webhook exists: the feed's head, so history is never replayed)."""
        with self.db.lock:
            return self._stored(self.db.conn) or self._heads(self.db.conn)

    def enqueue(
        self, items: Sequence[OutboxItem], seen: tuple[int, int], upto: tuple[int, int]
    ) -> int:
        """Queue `items` for every webhook that wants them and move the cursors from `seen`
        to `upto`, in one transaction (refused if another writer moved them). Returns rows."""
        rows = 0
        with self.db.tx() as conn:
            stored = self._stored(conn)
            if stored is not None and stored != seen:
                raise VaultError("the webhook cursors moved under the dispatcher")
            hooks = conn.execute("SELECT id, events FROM webhooks WHERE enabled=1").fetchall()
            created = iso(now())
            for item in items:
                for webhook_id, events in hooks:
                    if item.event in events.split():
                        rows += conn.execute(
                            "INSERT OR IGNORE INTO webhook_outbox(webhook_id, event_key, event,"
                            " body, created, attempts, next_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                            (webhook_id, item.event_key, item.event, item.body, created,
                             created),
                        ).rowcount  # fmt: skip
            self._set_cursors(conn, *upto)
        return rows

    # --- delivery ---------------------------------------------------------------------------

    def head(self, webhook_id: int) -> Delivery | None:
        """The oldest undelivered row of a webhook (the only one that may go out)."""
        with self.db.lock:
            row = self.db.conn.execute(
                f"{_SELECT} WHERE webhook_id=? AND delivered_at IS NULL ORDER BY id LIMIT 1",
                (webhook_id,),
            ).fetchone()
        return _delivery(row) if row else None

    def delivered(self, delivery_id: int) -> None:
        with self.db.tx() as conn:
            conn.execute(
                "UPDATE webhook_outbox SET delivered_at=?, attempts=attempts+1, last_error=NULL"
                " WHERE id=?",
                (iso(now()), delivery_id),
            )

    def failed(self, delivery_id: int, error: str, retry_at: datetime) -> None:
        with self.db.tx() as conn:
            conn.execute(
                "UPDATE webhook_outbox SET attempts=attempts+1, next_at=?, last_error=?"
                " WHERE id=?",
                (iso(retry_at), error[:500], delivery_id),
            )

    def recent(self, limit: int = 100) -> list[Delivery]:
        """The newest rows, delivered or not (the admin tab)."""
        with self.db.lock:
            rows = self.db.conn.execute(f"{_SELECT} ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_delivery(r) for r in rows]

    def pending_count(self) -> int:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL"
            ).fetchone()
        return int(row[0])

    def prune(self, keep: timedelta = timedelta(days=7)) -> int:
        """Drop delivered rows older than `keep` (they only serve the admin's view)."""
        with self.db.tx() as conn:
            return conn.execute(
                "DELETE FROM webhook_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                (iso(now() - keep),),
            ).rowcount

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _enabled_count(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT COUNT(*) FROM webhooks WHERE enabled=1").fetchone()[0])

    @staticmethod
    def _stored(conn: sqlite3.Connection) -> tuple[int, int] | None:
        values = dict(
            conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", _CURSORS).fetchall()
        )
        if len(values) < 2:
            return None
        return int(values[_CURSORS[0]]), int(values[_CURSORS[1]])

    @staticmethod
    def _heads(conn: sqlite3.Connection) -> tuple[int, int]:
        ev = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        au = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM audit").fetchone()[0]
        return int(ev), int(au)

    @staticmethod
    def _set_cursors(conn: sqlite3.Connection, event_id: int, audit_seq: int) -> None:
        for key, value in zip(_CURSORS, (event_id, audit_seq), strict=True):
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, str(value)),
            )


_SELECT = (
    "SELECT id, webhook_id, event_key, event, body, attempts, next_at, delivered_at, last_error"
    " FROM webhook_outbox"
)


def _delivery(r: Sequence[object]) -> Delivery:
    return Delivery(
        int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), int(r[5] or 0),  # type: ignore[call-overload]
        parse_dt(r[6]), parse_dt(r[7]), str(r[8] or ""),  # type: ignore[arg-type]
    )  # fmt: skip
