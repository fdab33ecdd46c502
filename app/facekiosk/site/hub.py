"""The hub as one kiosk's role sees it: push (outbox rows + events + cursors in one
transaction, so a push is exactly once even when the kiosk dies mid-way), pull the feed,
acknowledge and close purges, report duplicates, read the site's status."""

from __future__ import annotations

import json
import select
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from facekiosk.site.hub_schema import CHANNEL
from facekiosk.vault import EventRecord


@dataclass(frozen=True)
class OutRow:
    local_seq: int  # the audit entry (a durable cursor on the kiosk)
    kind: str  # "record" or "purge"
    index_id: str
    body: bytes | None = None  # sealed record (kind "record")


@dataclass(frozen=True)
class FeedRow:
    seq: int
    origin: str
    kind: str
    index_id: str
    body: bytes | None


@dataclass(frozen=True)
class Cursors:
    audit: int
    events: int
    pulled: int


class Hub:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._woken = threading.Event()

    def close(self) -> None:
        self.conn.close()

    def listen(self) -> None:
        # A NOTIFY that arrives while a pass runs its queries goes to handlers only, not to
        # a later notifies(): the handler keeps it (a lost one delayed a purge to poll_s).
        self._woken = threading.Event()
        self.conn.add_notify_handler(lambda _n: self._woken.set())
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout_s: float, also: int | None = None) -> bool:
        """True when the feed changed (a NOTIFY) since the last call or within `timeout_s`.
        `also`: another file descriptor that ends the wait when readable (the local
        commit signal, site/wakeup.py); the caller drains it."""
        if not self._woken.is_set():
            # Only handlers (psycopg warns that notifies() beside handlers is unreliable):
            # wait for the socket, then let a no-op query read and dispatch what came.
            fds = [self.conn.fileno()] if also is None else [self.conn.fileno(), also]
            readable, _, _ = select.select(fds, [], [], timeout_s)
            if self.conn.fileno() in readable:
                self.conn.execute("SELECT 1")
        woken = self._woken.is_set()
        self._woken.clear()
        return woken

    def cursors(self) -> Cursors:
        row = self.conn.execute(
            "SELECT audit_cursor, event_cursor, pulled_seq FROM facekiosk.kiosks"
            " WHERE role = current_user"
        ).fetchone()
        if row is None:
            raise psycopg.errors.InsufficientPrivilege("this kiosk is not a member of the site")
        return Cursors(int(row[0]), int(row[1]), int(row[2]))

    def push(
        self, rows: Sequence[OutRow], events: Sequence[EventRecord], audit_cursor: int,
        event_cursor: int,
    ) -> None:  # fmt: skip
        with self.conn.transaction(), self.conn.cursor() as cur:
            if rows:
                cur.executemany(
                    "INSERT INTO facekiosk.outbox(local_seq, kind, index_id, body)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [(r.local_seq, r.kind, r.index_id, r.body) for r in rows],
                )
            if events:
                cur.executemany(
                    "INSERT INTO facekiosk.events(local_id, at, kind, index_id, kiosk_id,"
                    " decision, reason, extra) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    [(e.id, e.at, e.kind, e.index_id, e.kiosk_id, e.decision, e.reason,
                      json.dumps(e.extra, default=str)) for e in events],
                )  # fmt: skip
            cur.execute(
                "UPDATE facekiosk.kiosks SET audit_cursor = %s, event_cursor = %s,"
                " last_sync = now() WHERE role = current_user",
                (audit_cursor, event_cursor),
            )

    def pull(self, after: int, limit: int) -> list[FeedRow]:
        rows = self.conn.execute(
            "SELECT seq, origin, kind, index_id, body FROM facekiosk.feed"
            " WHERE seq > %s AND origin <> current_user ORDER BY seq LIMIT %s",
            (after, limit),
        ).fetchall()
        return [FeedRow(int(r[0]), r[1], r[2], r[3], None if r[4] is None else bytes(r[4]))
                for r in rows]  # fmt: skip

    def feed_head(self) -> int:
        row = self.conn.execute("SELECT coalesce(max(seq), 0) FROM facekiosk.feed").fetchone()
        return int(row[0]) if row else 0

    def set_pulled(self, seq: int) -> None:
        self.conn.execute(
            "UPDATE facekiosk.kiosks SET pulled_seq = greatest(pulled_seq, %s), last_sync = now()"
            " WHERE role = current_user",
            (seq,),
        )

    def heartbeat(self) -> None:
        """End of a pass: last_sync (`site status`) and the hub's housekeeping (roles of
        kiosks that left are dropped; their purges close once the others confirmed)."""
        self.conn.execute("SELECT facekiosk.heartbeat()")

    def leave(self) -> None:
        """This kiosk leaves the site for good (`site leave`): no longer a member."""
        self.conn.execute("SELECT facekiosk.leave_site()")

    def ack_purge(self, index_id: str) -> None:
        self.conn.execute("SELECT facekiosk.ack_purge(%s)", (index_id,))

    def close_purge(self, index_id: str) -> bool:
        row = self.conn.execute("SELECT facekiosk.close_purge(%s)", (index_id,)).fetchone()
        return bool(row and row[0])

    def report_duplicate(self, a: str, b: str, similarity: float) -> None:
        a, b = sorted((a, b))
        self.conn.execute(
            "INSERT INTO facekiosk.duplicates(a, b, similarity) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (a, b, similarity),
        )

    # --- status -------------------------------------------------------------------------

    def kiosks(self) -> list[dict[str, Any]]:
        # lag: feed rows the kiosk has yet to pull (its own pushes are never pulled)
        rows = self.conn.execute(
            "SELECT role, kiosk_id, joined_at, last_sync, pulled_seq, role = current_user,"
            " left_at, (SELECT count(*) FROM facekiosk.feed f WHERE f.seq > k.pulled_seq"
            "   AND f.origin <> k.role)"
            " FROM facekiosk.kiosks k ORDER BY joined_at"
        ).fetchall()
        return [
            {"kiosk_id": r[1], "role": r[0], "joined_at": _iso(r[2]), "last_sync": _iso(r[3]),
             "pulled_seq": int(r[4]), "this_kiosk": r[5], "left_at": _iso(r[6]),
             "lag": None if r[6] else int(r[7])}
            for r in rows
        ]  # fmt: skip

    def members(self) -> list[str]:
        """The site's kiosks that have not left (a purge waits for each of them)."""
        rows = self.conn.execute(
            "SELECT kiosk_id FROM facekiosk.kiosks WHERE left_at IS NULL ORDER BY kiosk_id"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def purges(self, index_id: str | None = None) -> list[dict[str, Any]]:
        """Purges not yet closed: which kiosks confirmed and which are still pending."""
        rows = self.conn.execute(
            "SELECT p.index_id, p.at, o.kiosk_id, p.origin = current_user,"
            " array(SELECT k.kiosk_id FROM facekiosk.kiosks k JOIN facekiosk.purge_acks a"
            "   ON a.role = k.role AND a.index_id = p.index_id ORDER BY k.kiosk_id),"
            " array(SELECT k.kiosk_id FROM facekiosk.kiosks k WHERE k.joined_at <= p.at"
            "   AND k.left_at IS NULL AND NOT EXISTS (SELECT 1 FROM facekiosk.purge_acks a"
            "   WHERE a.role = k.role AND a.index_id = p.index_id) ORDER BY k.kiosk_id)"
            " FROM facekiosk.purges p LEFT JOIN facekiosk.kiosks o ON o.role = p.origin"
            " WHERE %(id)s::text IS NULL OR p.index_id = %(id)s ORDER BY p.at",
            {"id": index_id},
        ).fetchall()
        return [
            {"index_id": r[0], "purged_at": _iso(r[1]), "origin": r[2], "mine": r[3],
             "confirmed": list(r[4]), "pending": list(r[5])}
            for r in rows
        ]  # fmt: skip

    def duplicates(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT d.a, d.b, d.similarity, k.kiosk_id, d.at FROM facekiosk.duplicates d"
            " LEFT JOIN facekiosk.kiosks k ON k.role = d.found_by ORDER BY d.at"
        ).fetchall()
        return [{"index_ids": [r[0], r[1]], "similarity": round(float(r[2]), 4),
                 "found_by": r[3], "at": _iso(r[4])} for r in rows]  # fmt: skip


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
