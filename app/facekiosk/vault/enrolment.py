"""Enrolment, re-enrolment and purge: the calls that change the template index and the
metadata together. The template is journalled (fsync) before its row is committed; if the
row fails, the template is taken back out, and `reconcile` (every open) finishes what a
crash left half-done: templates without a row are purged, rows without one flagged, and
Index IDs the purge ledger lists are purged again (a restored older backup, or a purge cut
short between its ledger line and its commit)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.credentials import Credentials
from facekiosk.vault.errors import UnknownIndexId, VaultDiskFullError, disk_full_guard
from facekiosk.vault.event_log import EventLog
from facekiosk.vault.identities import Identities, check_label_payload
from facekiosk.vault.leftovers import wipe_migration_copies
from facekiosk.vault.matching import make_template
from facekiosk.vault.metadb import MetaDb, iso, now
from facekiosk.vault.purge_ledger import PurgeLedger
from facekiosk.vault.records import PurgeReceipt
from facekiosk.vault.templates import Templates

log = logging.getLogger(__name__)


class Enrolment:
    def __init__(
        self,
        db: MetaDb,
        templates: Templates,
        identities: Identities,
        credentials: Credentials,
        event_log: EventLog,
        trail: AuditTrail,
        ledger: PurgeLedger,
    ) -> None:
        self.ledger = ledger
        self.db = db
        self.templates = templates
        self.identities = identities
        self.credentials = credentials
        self.event_log = event_log
        self.trail = trail

    def reconcile(self) -> None:
        """Finish what a crash interrupted: orphan vectors are purged, rows without one
        flagged; re-apply the purge ledger. Not on a full disk (read-only): the next open
        with room does it."""
        if self.db.read_only:
            log.warning("the disk is full: the vault is read-only; checks on open skipped")
            return
        if self.ledger.path is not None and not self.ledger.path.exists():
            self._seed_ledger()
        in_db = self.identities.all_ids()
        with_vector = self.templates.ids()
        back = sorted((in_db | with_vector) & self.ledger.ids())
        if back:
            log.warning("purging %d Index ID(s) the purge ledger lists as purged", len(back))
            reason = "purge ledger: purged after this copy of the vault was made"
            self.delete(back, reason=reason, actor="purge-ledger")
            in_db, with_vector = self.identities.all_ids(), self.templates.ids()
        orphans = sorted(with_vector - in_db)
        if orphans:
            log.warning("purging %d template(s) left by an interrupted enroll/delete", len(orphans))
            self.templates.remove(orphans)
            self.templates.compact()
        missing = [i for i in in_db if i not in with_vector]
        if missing:
            log.warning("%d Index ID(s) have no template; flagged no_template", len(missing))
            self.identities.flag_no_template(missing)

    def _seed_ledger(self) -> None:
        """A vault of an earlier release (or one whose ledger was deleted): its audit log
        names every purge; write them into a new ledger."""
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT at, details FROM audit WHERE action='purge' ORDER BY seq"
            ).fetchall()
        entries: dict[str, str] = {}
        for at, details in rows:
            for index_id in json.loads(details).get("index_ids", []):
                entries.setdefault(str(index_id), str(at))
        assert self.ledger.path is not None
        for at in sorted(set(entries.values())):
            self.ledger.append([i for i, when in entries.items() if when == at], at)
        self.ledger.create()

    def enroll(
        self,
        embeddings: Sequence[Embedding],
        *,
        label: str | None = None,
        payload: bytes | None = None,
        consent_version: str | None = None,
        valid_until: datetime | None = None,
        actor: str = "kiosk",
    ) -> str:
        """A new anonymous Index ID (UUID4) for one person; durable when it returns."""
        space, template = make_template(embeddings)
        check_label_payload(label, payload)
        index_id = str(uuid.uuid4())
        with self.db.lock:
            with disk_full_guard(self.db.data_dir):
                self.templates.add(space, index_id, template)
            try:
                with self.db.tx() as conn:
                    self.identities.insert(
                        conn, index_id, space, len(embeddings), label=label, payload=payload,
                        consent_version=consent_version, valid_until=valid_until,
                    )  # fmt: skip
                    details = {"index_id": index_id, "space": space, "images": len(embeddings)}
                    self.trail.append(conn, "enroll", actor, details)
            except BaseException:  # the template is journalled: take it back out
                self.templates.remove([index_id])
                raise
            self.identities.cache_labels({index_id: label})
            with disk_full_guard(self.db.data_dir):  # enrolled (journal): says so clearly
                self.templates.maybe_compact()
        return index_id

    def enroll_many(self, templates: np.ndarray, space: str) -> list[str]:
        """Bulk import of ready-made unit templates (one per person): one journal write.
        For migrations and benchmarks; no labels, consent or payload. The audit entry
        names every Index ID: the change feed (site sync, webhooks) sees each person."""
        vecs = np.ascontiguousarray(templates, dtype=np.float32)
        ids = [str(uuid.uuid4()) for _ in range(len(vecs))]
        with self.db.lock:
            self.templates.add_many(space, ids, vecs)
            with self.db.tx() as conn:
                self.identities.insert_bare(conn, ids, space)
                details = {"count": len(ids), "space": space, "index_ids": ids}
                self.trail.append(conn, "enroll_bulk", "admin", details)
            self.identities.cache_labels(dict.fromkeys(ids))
            self.templates.compact()
        return ids

    def replace_template(
        self, index_id: str, embeddings: Sequence[Embedding], *, actor: str = "admin"
    ) -> None:
        """Re-enrolment: the old template is purged from every file, the Index ID is kept."""
        space, template = make_template(embeddings)
        with self.db.lock:
            self.identities.get(index_id)
            self.templates.replace(space, index_id, template)
            with self.db.tx() as conn:
                self.identities.set_template(conn, index_id, space, len(embeddings))
                details = {"index_id": index_id, "space": space, "images": len(embeddings)}
                self.trail.append(conn, "replace_template", actor, details)
            self.templates.compact()  # the old template leaves the journal now

    def delete(
        self, index_ids: str | Sequence[str], *, reason: str = "", actor: str = "admin"
    ) -> PurgeReceipt:
        """Purge Index IDs for good: template, metadata, PIN, consent; events anonymised."""
        ids = list(dict.fromkeys([index_ids] if isinstance(index_ids, str) else index_ids))
        if not ids:
            raise ValueError("no Index ID given")
        with self.db.lock:
            known = self.identities.known(ids)
            unknown = [i for i in ids if i not in known and self.templates.space_of(i) is None]
            if unknown:
                raise UnknownIndexId(unknown)
            if self.db.read_only:
                raise VaultDiskFullError(self.db.data_dir)
            mark = self.ledger.mark()
            with disk_full_guard(self.db.data_dir):  # before the commit: outlives a restore
                self.ledger.append(ids, iso(now()) or "")
            try:
                with self.db.tx() as conn:
                    rows = self.credentials.purge(conn, ids) + self.identities.purge(conn, ids)
                    events = self.event_log.anonymise(conn, ids)
                    details = {"index_ids": ids, "reason": reason}
                    seq = self.trail.append(conn, "purge", actor, details)
            except BaseException:
                self.ledger.rewind(mark)  # refused, not done: the ledger must not list them
                raise
            self.identities.forget_labels(ids)
            with disk_full_guard(self.db.data_dir):  # committed: the next open finishes it
                removed = self.templates.remove(ids)
                self.templates.compact()  # no segment or journal holds the vectors now
            self.db.checkpoint()
            if self.ledger.path is not None:  # a pre-migration copy may hold them
                wipe_migration_copies(self.ledger.path.parent)
        return PurgeReceipt(ids, now(), removed, rows, events, seq)
