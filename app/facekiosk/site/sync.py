"""One sync pass between this kiosk's vault and the hub.

Push: the outbox is a cursor over the vault's own change feed (audit entries of enrol,
bulk import, template change, update, PIN set / cleared, consent and purge; events by id),
so changes made while the hub was down simply wait in the vault. Each pushed record is the
person's whole current state, sealed with the site key; the cursors advance on the hub in
the same transaction as the rows, so a push happens exactly once even if the kiosk dies
mid-way. Entries written by
the sync itself (actor "site") are not pushed back: no echo.

Pull: feed rows after this kiosk's cursor, applied idempotently (an import of the same
record changes nothing; a purge of an unknown Index ID is still acknowledged); the cursor
moves after each applied batch, so a crash re-applies at most one batch, harmlessly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facekiosk.site.hub import Hub, OutRow
from facekiosk.site.membership import Membership, SiteSecrets
from facekiosk.site.site_crypto import SiteCryptoError, open_record, seal_record
from facekiosk.vault import AuditEntry, UnknownIndexId, Vault
from facekiosk.vault.transfer import IdentityExport

log = logging.getLogger(__name__)

SYNC_ACTOR = "site"
RECORD_ACTIONS = frozenset(
    {"enroll", "replace_template", "update", "pin_set", "pin_clear", "consent"}
)
BULK_ACTION = "enroll_bulk"  # one entry, every Index ID in details["index_ids"]
RECEIPT_ACTION = "site_purge_confirmed"  # the kiosk's own audit log keeps the proof
# Default duplicate thresholds when neither site.duplicate_threshold nor engine.threshold
# is set: each engine's FAR 1e-3 point (README, Engines).
ENGINE_THRESHOLDS = {"bundled": 0.741, "dlib": 0.92, "insight": 0.40, "sface": 0.354}


@dataclass
class SyncReport:
    pushed_records: int = 0
    pushed_purges: int = 0
    pushed_events: int = 0
    imported: int = 0
    unchanged: int = 0
    rejected: int = 0  # hub rows that do not open with the site key
    purged: int = 0
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    closed_purges: list[str] = field(default_factory=list)

    def changed(self) -> bool:
        return bool(self.pushed_records or self.pushed_purges or self.pushed_events
                    or self.imported or self.purged)  # fmt: skip


class SiteSync:
    def __init__(
        self, vault: Vault, membership: Membership, secrets: SiteSecrets, *,
        batch: int = 500, duplicate_threshold: float | None = None,
    ) -> None:  # fmt: skip
        self.vault = vault
        self.m = membership
        self.key = secrets.site_key
        self.batch = batch
        self.duplicate_threshold = duplicate_threshold
        self._local_ids: set[str] | None = None

    def run_once(self, hub: Hub) -> SyncReport:
        report = SyncReport()
        self.push(hub, report)
        self.pull(hub, report)
        self.close_purges(hub, report)
        hub.heartbeat()  # last_sync in `site status`, and the hub's housekeeping
        return report

    # --- push -----------------------------------------------------------------------------

    def pending_local(self, hub_cursors: tuple[int, int]) -> bool:
        audit, events = hub_cursors
        return bool(self.vault.audit_entries(audit, 1) or self.vault.events_after(events, 1))

    def push(self, hub: Hub, report: SyncReport) -> None:
        cursors = hub.cursors()
        audit_cursor, event_cursor = cursors.audit, cursors.events
        while True:
            entries = self.vault.audit_entries(audit_cursor, self.batch)
            events = self.vault.events_after(event_cursor, self.batch)
            if not entries and not events:
                return
            rows = self._rows(entries)
            new_audit = entries[-1].seq if entries else audit_cursor
            new_events = events[-1].id if events else event_cursor
            # A bulk import is one entry naming many people: its rows go in transactions
            # of `batch`, the cursors move with the last (a crash re-pushes; the hub's
            # feed keeps one row per Index ID, so a re-push changes nothing).
            for i in range(0, len(rows), self.batch)[:-1]:
                hub.push(rows[i : i + self.batch], [], audit_cursor, event_cursor)
            last = len(rows) - (len(rows) - 1) % self.batch - 1 if rows else 0
            hub.push(rows[last:], events, new_audit, new_events)
            audit_cursor, event_cursor = new_audit, new_events
            report.pushed_records += sum(r.kind == "record" for r in rows)
            report.pushed_purges += sum(r.kind == "purge" for r in rows)
            report.pushed_events += len(events)

    def _rows(self, entries: list[AuditEntry]) -> list[OutRow]:
        """The batch's outbox rows: one record per Index ID changed (its current state,
        under the seq of its last change) and one row per purged Index ID."""
        latest: dict[str, int] = {}
        purges: list[OutRow] = []
        for e in entries:
            if e.actor == SYNC_ACTOR:
                continue  # applied from the hub: do not echo
            if e.action in RECORD_ACTIONS and "index_id" in e.details:
                latest[str(e.details["index_id"])] = e.seq
                if e.action == "enroll" and self._local_ids is not None:
                    self._local_ids.add(str(e.details["index_id"]))
            elif e.action == BULK_ACTION:  # a migration: not compared for duplicates
                for index_id in e.details.get("index_ids", []):
                    latest[str(index_id)] = e.seq
            elif e.action == "purge":
                for index_id in e.details.get("index_ids", []):
                    latest.pop(str(index_id), None)
                    purges.append(OutRow(e.seq, "purge", str(index_id)))
        rows: list[OutRow] = []
        for index_id, seq in latest.items():
            try:
                record = self.vault.transfer.export(index_id)
            except UnknownIndexId:
                continue  # purged since: its purge entry goes instead
            body = seal_record(self.key, self.m.site_id, index_id, record.to_dict())
            rows.append(OutRow(seq, "record", index_id, body))
        return rows + purges

    # --- pull -----------------------------------------------------------------------------

    def pull(self, hub: Hub, report: SyncReport) -> None:
        cursor = hub.cursors().pulled
        while True:
            rows = hub.pull(cursor, self.batch)
            if not rows:
                return
            records = []
            for row in rows:  # one row per Index ID in the feed: order within a batch is free
                if row.kind == "purge":
                    self._apply_purge(hub, row.index_id, report)
                elif row.body is not None:
                    record = self._open(row.index_id, row.body, report)
                    if record is not None:
                        records.append(record)
            outcomes = self.vault.transfer.import_identities(records, actor=SYNC_ACTOR)
            changed = [r for r, o in zip(records, outcomes, strict=True)
                       if o in ("created", "updated")]  # fmt: skip
            report.imported += len(changed)
            report.unchanged += sum(o == "same" for o in outcomes)
            self._check_duplicates(hub, changed, report)
            cursor = rows[-1].seq
            hub.set_pulled(cursor)

    def _apply_purge(self, hub: Hub, index_id: str, report: SyncReport) -> None:
        try:
            self.vault.delete(index_id, reason="site-wide purge", actor=SYNC_ACTOR)
            report.purged += 1
        except UnknownIndexId:
            pass  # never had it, or purged already: still confirmed
        self._local.discard(index_id)
        hub.ack_purge(index_id)

    def _open(self, index_id: str, body: bytes, report: SyncReport) -> IdentityExport | None:
        try:
            record = IdentityExport.from_dict(open_record(self.key, self.m.site_id, index_id, body))
            if record.index_id != index_id:
                raise ValueError(f"the record names {record.index_id}")
            return record
        except (SiteCryptoError, KeyError, ValueError) as exc:
            # Not sealed with the site key (a broken or hostile member): skipped, so that
            # one bad row cannot stall every kiosk's feed.
            log.error("site sync: skipped a hub record of %s: %s", index_id, exc)
            report.rejected += 1
            return None

    @property
    def _local(self) -> set[str]:
        """Index IDs this kiosk enrolled itself (from its audit log, once per run)."""
        if self._local_ids is None:
            self._local_ids = {
                str(e.details["index_id"]) for e in self.vault.audit_entries(0)
                if e.action == "enroll" and e.actor != SYNC_ACTOR and "index_id" in e.details
            }  # fmt: skip
        return self._local_ids

    def _check_duplicates(
        self, hub: Hub, records: list[IdentityExport], report: SyncReport
    ) -> None:
        """The same person enrolled on two kiosks while apart: two Index IDs for one face
        in the merged gallery. Each kiosk compares what it imports with the people it
        enrolled itself (so a new kiosk pulling a large site compares nothing), and reports
        a pair (hub + log) for the admin to decide."""
        local = self._local
        if not local or not records:
            return
        for record in records:
            engine = record.space.split("/", 1)[0]
            threshold = self.duplicate_threshold or ENGINE_THRESHOLDS.get(engine, 0.9)
            ids, mat = self.vault.transfer.vectors_of(sorted(local - {record.index_id}),
                                                      record.space)  # fmt: skip
            if not ids:
                continue
            sims = mat.astype(np.float64) @ np.asarray(record.template, np.float64)
            for k in np.flatnonzero(sims >= threshold):
                hub.report_duplicate(record.index_id, ids[k], float(sims[k]))
                found = {"index_ids": sorted((record.index_id, ids[k])),
                         "similarity": round(float(sims[k]), 4)}  # fmt: skip
                report.duplicates.append(found)
                log.warning("possible duplicate enrolment: %s and %s (cosine %.3f)",
                            record.index_id, ids[k], sims[k])  # fmt: skip

    # --- purges this kiosk began ------------------------------------------------------------

    def close_purges(self, hub: Hub, report: SyncReport) -> None:
        """Every kiosk confirmed: keep the receipt in this vault's audit log, then let the
        hub forget the Index ID."""
        for p in hub.purges():
            if not p["mine"] or p["pending"]:
                continue
            if not self._has_receipt(p["index_id"]):
                details = {"index_id": p["index_id"], "purged_at": p["purged_at"],
                           "confirmed": p["confirmed"]}  # fmt: skip
                self.vault.audit(RECEIPT_ACTION, SYNC_ACTOR, details)
            if hub.close_purge(p["index_id"]):
                report.closed_purges.append(p["index_id"])

    def _has_receipt(self, index_id: str) -> bool:
        return bool(receipts(self.vault, index_id))


def receipts(vault: Vault, index_id: str | None = None) -> list[dict[str, Any]]:
    """Site-wide purges this kiosk began that every kiosk confirmed (from its audit log)."""
    found = []
    for e in vault.audit_entries(0):
        if e.action == RECEIPT_ACTION and (index_id is None or e.details["index_id"] == index_id):
            found.append({**e.details, "audit_seq": e.seq, "pending": []})
    return found
