"""Counts by day for the integrator API's `appstats`: enrolments (audit log), and from the
event log authentications, refusals by code and liveness refusals. SQL aggregates, so a
month of a busy kiosk costs one indexed scan, not a Python loop over every row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from facekiosk.vault.metadb import MetaDb, iso

AUTH_KINDS = ("attendance", "access", "auth")  # what the kiosk logs for a sign-in attempt
LIVENESS_CODES = ("PAD_ATTACK", "LIVENESS_NOT_CONFIRMED")


class AppStats:
    def __init__(self, db: MetaDb) -> None:
        self.db = db

    def by_day(self, since: datetime, until: datetime) -> dict[str, dict[str, Any]]:
        """day (UTC, YYYY-MM-DD) -> enrolments, authentications, refusals {code: n},
        liveness_refusals; `since` inclusive, `until` exclusive."""
        span = (iso(since), iso(until))
        days: dict[str, dict[str, Any]] = {}

        def day(d: str) -> dict[str, Any]:
            return days.setdefault(
                d, {"enrolments": 0, "authentications": 0, "refusals": {},
                    "liveness_refusals": 0, "deletions": 0},
            )  # fmt: skip

        kinds = ",".join("?" * len(AUTH_KINDS))
        with self.db.lock:
            conn = self.db.conn
            audit = conn.execute(
                "SELECT substr(at, 1, 10), action, COUNT(*) FROM audit WHERE at >= ? AND at < ?"
                " AND action IN ('enroll', 'enroll_bulk', 'purge') GROUP BY 1, 2",
                span,
            ).fetchall()
            granted = conn.execute(
                f"SELECT substr(at, 1, 10), COUNT(*) FROM events WHERE at >= ? AND at < ?"
                f" AND kind IN ({kinds}) AND decision != 'deny' GROUP BY 1",
                (*span, *AUTH_KINDS),
            ).fetchall()
            refused = conn.execute(
                "SELECT substr(at, 1, 10), reason, COUNT(*) FROM events WHERE at >= ? AND at < ?"
                " AND decision = 'deny' GROUP BY 1, 2",
                span,
            ).fetchall()
        for d, action, n in audit:
            day(d)["deletions" if action == "purge" else "enrolments"] += n
        for d, n in granted:
            day(d)["authentications"] += n
        for d, reason, n in refused:
            entry = day(d)
            entry["refusals"][reason or "UNKNOWN"] = n
            if reason in LIVENESS_CODES:
                entry["liveness_refusals"] += n
        return dict(sorted(days.items()))
