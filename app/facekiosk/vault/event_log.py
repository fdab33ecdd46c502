"""The event and attendance log: one row per recognition, access or authentication event
(no biometrics; a purged Index ID's events keep their time and kind, anonymised)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from facekiosk.vault.metadb import MetaDb, iso, now
from facekiosk.vault.records import EventRecord


class EventLog:
    def __init__(self, db: MetaDb) -> None:
        self.db = db

    def record(
        self,
        kind: str,
        index_id: str | None = None,
        kiosk_id: str = "",
        decision: str = "",
        reason: str = "",
        extra: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> int:
        with self.db.tx() as conn:
            cur = conn.execute(
                "INSERT INTO events(at, kind, index_id, kiosk_id, decision, reason, extra)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    iso(at or now()),
                    kind,
                    index_id,
                    kiosk_id,
                    decision,
                    reason,
                    json.dumps(extra or {}, default=str),
                ),
            )
            return int(cur.lastrowid or 0)

    def query(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        index_id: str | None = None,
        limit: int | None = None,
    ) -> list[EventRecord]:
        """Events in time order; `since` inclusive, `until` exclusive."""
        where: list[str] = []
        args: list[str] = []
        for clause, value in (
            ("at >= ?", iso(since)),
            ("at < ?", iso(until)),
            ("kind = ?", kind),
            ("index_id = ?", index_id),
        ):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = "SELECT id, at, kind, index_id, kiosk_id, decision, reason, extra FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY at, id LIMIT ?"
        with self.db.lock:
            rows = self.db.conn.execute(sql, (*args, -1 if limit is None else limit)).fetchall()
        return [self._record(r) for r in rows]

    def after(self, event_id: int, limit: int = 500) -> list[EventRecord]:
        """Events with id > `event_id` in id order: a durable cursor for consumers that must
        see every event once (webhooks, site sync). Ids only grow: no event row is ever
        deleted (a purge anonymises), so SQLite never reuses one."""
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT id, at, kind, index_id, kiosk_id, decision, reason, extra FROM events"
                " WHERE id > ? ORDER BY id LIMIT ?",
                (event_id, limit),
            ).fetchall()
        return [self._record(r) for r in rows]

    @staticmethod
    def _record(r: tuple[Any, ...]) -> EventRecord:
        return EventRecord(
            r[0],
            datetime.fromisoformat(r[1]),
            r[2],
            r[3],
            r[4] or "",
            r[5] or "",
            r[6] or "",
            json.loads(r[7] or "{}"),
        )

    def anonymise(self, conn: sqlite3.Connection, ids: list[str]) -> int:
        """Inside the purge transaction: the events of `ids` lose their Index ID."""
        marks = ",".join("?" * len(ids))
        return conn.execute(
            f"UPDATE events SET index_id=NULL WHERE index_id IN ({marks})", ids
        ).rowcount
