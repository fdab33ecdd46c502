"""Identity rows: one per Index ID with its encrypted label and payload, consent history,
validity and status. The template itself lives in the template index (templates.py)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import Any

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.errors import UnknownIndexId
from facekiosk.vault.fields import FieldCipher
from facekiosk.vault.metadb import MetaDb, iso, now, parse_dt
from facekiosk.vault.records import IdentityRecord

log = logging.getLogger(__name__)

MAX_PAYLOAD = 16 * 1024
MAX_LABEL = 256
ORDERABLE = (
    "created",
    "last_seen",
    "index_id",
    "status",
    "consent_version",
    "valid_until",
    "label",
)
_SELECT = (
    "SELECT i.index_id, i.created, i.engine, i.model, i.consent_version, i.status,"
    " i.valid_until, i.last_seen, i.label_ct, i.payload_ct IS NOT NULL, i.n_images,"
    " p.index_id IS NOT NULL FROM identities i LEFT JOIN pins p ON p.index_id = i.index_id"
)
Row = tuple[Any, ...]


def check_label_payload(label: str | None, payload: bytes | None) -> None:
    if label is not None and len(label) > MAX_LABEL:
        raise ValueError(f"label longer than {MAX_LABEL} characters")
    if payload is not None and len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload larger than {MAX_PAYLOAD} bytes")


class Identities:
    def __init__(self, db: MetaDb, fields: FieldCipher, trail: AuditTrail) -> None:
        self.db = db
        self.fields = fields
        self.trail = trail
        # Decrypted labels for the admin list search, built on first use, kept in sync by
        # insert/update/purge; memory only (personal data: never written to disk).
        self._labels: dict[str, str | None] | None = None

    # --- writes inside the caller's transaction (enrol, re-enrol, purge) ----------------------

    def insert(
        self,
        conn: sqlite3.Connection,
        index_id: str,
        space: str,
        n_images: int,
        *,
        label: str | None,
        payload: bytes | None,
        consent_version: str | None,
        valid_until: datetime | None,
    ) -> None:
        at = iso(now())
        engine, model = space.split("/", 1)
        conn.execute(
            "INSERT INTO identities(index_id, engine, model, created, consent_version,"
            " status, valid_until, label_ct, payload_ct, n_images, updated)"
            " VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
            (
                index_id,
                engine,
                model,
                at,
                consent_version,
                iso(valid_until),
                self.fields.seal("label", index_id, label),
                self.fields.seal("payload", index_id, payload),
                n_images,
                at,
            ),
        )
        if consent_version:
            conn.execute(
                "INSERT INTO consents(index_id, version, accepted_at) VALUES (?, ?, ?)",
                (index_id, consent_version, at),
            )

    def insert_bare(self, conn: sqlite3.Connection, ids: list[str], space: str) -> None:
        """Bulk import: no label, consent or payload."""
        at = iso(now())
        engine, model = space.split("/", 1)
        conn.executemany(
            "INSERT INTO identities(index_id, engine, model, created, status, n_images, updated)"
            " VALUES (?, ?, ?, ?, 'active', 1, ?)",
            [(i, engine, model, at, at) for i in ids],
        )

    def set_template(
        self, conn: sqlite3.Connection, index_id: str, space: str, n_images: int
    ) -> None:
        engine, model = space.split("/", 1)
        conn.execute(
            "UPDATE identities SET engine=?, model=?, status='active', n_images=?,"
            " updated=? WHERE index_id=?",
            (engine, model, n_images, iso(now()), index_id),
        )

    def purge(self, conn: sqlite3.Connection, ids: list[str]) -> int:
        marks = ",".join("?" * len(ids))
        rows = conn.execute(f"DELETE FROM consents WHERE index_id IN ({marks})", ids).rowcount
        rows += conn.execute(f"DELETE FROM identities WHERE index_id IN ({marks})", ids).rowcount
        return rows

    def cache_labels(self, labels: dict[str, str | None]) -> None:
        """After a commit that added identities (or changed labels)."""
        with self.db.lock:
            if self._labels is not None:
                self._labels.update(labels)

    def forget_labels(self, ids: list[str]) -> None:
        with self.db.lock:
            if self._labels is not None:
                for i in ids:
                    self._labels.pop(i, None)

    def known(self, ids: list[str]) -> set[str]:
        marks = ",".join("?" * len(ids))
        with self.db.lock:
            sql = f"SELECT index_id FROM identities WHERE index_id IN ({marks})"
            return {r[0] for r in self.db.conn.execute(sql, ids)}

    def all_ids(self) -> set[str]:
        with self.db.lock:
            return {r[0] for r in self.db.conn.execute("SELECT index_id FROM identities")}

    def flag_no_template(self, ids: list[str]) -> None:
        with self.db.tx() as conn:
            conn.executemany(
                "UPDATE identities SET status='no_template' WHERE index_id=?", [(i,) for i in ids]
            )

    # --- the admin's calls ------------------------------------------------------------------

    def get(self, index_id: str) -> IdentityRecord:
        with self.db.lock:
            row = self.db.conn.execute(_SELECT + " WHERE i.index_id=?", (index_id,)).fetchone()
        if row is None:
            raise UnknownIndexId([index_id])
        return self._record(row)

    def count(self, search: str | None = None) -> int:
        if search:
            return len(self.list_ids(search=search))
        with self.db.lock:
            return int(self.db.conn.execute("SELECT COUNT(*) FROM identities").fetchone()[0])

    def list_ids(
        self,
        offset: int = 0,
        limit: int | None = None,
        search: str | None = None,
        order_by: str = "created",
    ) -> list[IdentityRecord]:
        """A page of identities; `search` matches Index ID or (decrypted) label, any case;
        `order_by` is one of ORDERABLE, prefixed with "-" for descending."""
        desc = order_by.startswith("-")
        column = order_by.lstrip("-")
        if column not in ORDERABLE:
            raise ValueError(
                f"order_by must be one of {', '.join(ORDERABLE)} (optionally with '-')"
            )
        if search or column == "label":  # labels are encrypted: filter and sort in Python
            return self._list_decrypted(offset, limit, search, column, desc)
        sql = (
            f"{_SELECT} ORDER BY i.{column} IS NULL, i.{column} {'DESC' if desc else 'ASC'},"
            f" i.index_id LIMIT ? OFFSET ?"
        )
        with self.db.lock:
            rows = self.db.conn.execute(sql, (-1 if limit is None else limit, offset)).fetchall()
        return [self._record(r) for r in rows]

    def _list_decrypted(
        self, offset: int, limit: int | None, search: str | None, column: str, desc: bool
    ) -> list[IdentityRecord]:
        stop = None if limit is None else offset + limit
        with self.db.lock:
            labels = self._label_cache()
            ids = list(labels)  # table order, kept by the stable sorts below
            if search:
                needle = search.casefold()
                ids = [i for i in ids if needle in i or needle in (labels[i] or "").casefold()]
            if column == "label":  # sort the IDs, then read only the page's rows
                ids.sort(
                    key=lambda i: (labels[i] is None, (labels[i] or "").casefold()),
                    reverse=desc,
                )
                ids = ids[offset:stop]
            records = [self._record(r, labels) for r in self._rows_of(ids)]
        if column == "label":
            return records
        records.sort(
            key=lambda r: (getattr(r, column) is None, str(getattr(r, column) or "").casefold()),
            reverse=desc,
        )
        return records[offset:stop]

    def get_payload(self, index_id: str) -> bytes | None:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT payload_ct FROM identities WHERE index_id=?", (index_id,)
            ).fetchone()
        if row is None:
            raise UnknownIndexId([index_id])
        return None if row[0] is None else self.fields.open("payload", index_id, row[0])

    def update(
        self,
        index_id: str,
        *,
        label: str | None = None,
        payload: bytes | None = None,
        valid_until: datetime | None = None,
        status: str | None = None,
        actor: str = "admin",
    ) -> None:
        check_label_payload(label, payload)
        changes: dict[str, Any] = {}
        if label is not None:
            changes["label_ct"] = self.fields.seal("label", index_id, label)
        if payload is not None:
            changes["payload_ct"] = self.fields.seal("payload", index_id, payload)
        if valid_until is not None:
            changes["valid_until"] = iso(valid_until)
        if status is not None:
            changes["status"] = status
        if not changes:
            return
        changes["updated"] = iso(now())
        with self.db.tx() as conn:
            cur = conn.execute(
                f"UPDATE identities SET {', '.join(f'{k}=?' for k in changes)} WHERE index_id=?",
                (*changes.values(), index_id),
            )
            if cur.rowcount == 0:
                raise UnknownIndexId([index_id])
            fields = sorted(k.removesuffix("_ct") for k in changes if k != "updated")
            self.trail.append(conn, "update", actor, {"index_id": index_id, "fields": fields})
        if label is not None:
            self.cache_labels({index_id: label})

    def touch(self, index_id: str, at: datetime | None = None) -> None:
        """Last seen; on a full disk (read-only vault) not recorded, so that recognising
        someone does not fail for a convenience column (the ID is still checked)."""
        if self.db.read_only:
            self.get(index_id)  # UnknownIndexId as before
            log.warning("the disk is full: last seen of an Index ID not recorded")
            return
        with self.db.tx() as conn:
            cur = conn.execute(
                "UPDATE identities SET last_seen=? WHERE index_id=?", (iso(at or now()), index_id)
            )
            if cur.rowcount == 0:
                raise UnknownIndexId([index_id])

    def record_consent(
        self, index_id: str, version: str, accepted_at: datetime | None = None,
        actor: str = "kiosk",
    ) -> None:  # fmt: skip
        with self.db.tx() as conn:
            cur = conn.execute(
                "UPDATE identities SET consent_version=? WHERE index_id=?", (version, index_id)
            )
            if cur.rowcount == 0:
                raise UnknownIndexId([index_id])
            conn.execute(
                "INSERT INTO consents(index_id, version, accepted_at) VALUES (?, ?, ?)",
                (index_id, version, iso(accepted_at or now())),
            )
            details = {"index_id": index_id, "version": version}
            self.trail.append(conn, "consent", actor, details)

    def consents(self, index_id: str) -> list[tuple[str, datetime]]:
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT version, accepted_at FROM consents WHERE index_id=? ORDER BY id",
                (index_id,),
            ).fetchall()
        return [(v, datetime.fromisoformat(a)) for v, a in rows]

    # --- rows to records ----------------------------------------------------------------------

    def _record(self, row: Row, labels: dict[str, str | None] | None = None) -> IdentityRecord:
        label = (
            labels[row[0]]
            if labels is not None and row[0] in labels
            else self.fields.open_text("label", row[0], row[8])
        )
        return IdentityRecord(
            index_id=row[0],
            created=datetime.fromisoformat(row[1]),
            engine=row[2],
            model=row[3],
            consent_version=row[4],
            status=row[5],
            valid_until=parse_dt(row[6]),
            last_seen=parse_dt(row[7]),
            label=label,
            has_payload=bool(row[9]),
            n_images=int(row[10] or 0),
            has_pin=bool(row[11]),
        )

    def _label_cache(self) -> dict[str, str | None]:
        """Index ID -> decrypted label (caller holds the lock); decrypts once per open."""
        if self._labels is None:
            rows = self.db.conn.execute("SELECT index_id, label_ct FROM identities").fetchall()
            self._labels = {i: self.fields.open_text("label", i, blob) for i, blob in rows}
        return self._labels

    def _rows_of(self, ids: list[str]) -> list[Row]:
        rows: list[Row] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"{_SELECT} WHERE i.index_id IN ({marks})"
            rows += self.db.conn.execute(sql, chunk).fetchall()
        position = {i: k for k, i in enumerate(ids)}
        rows.sort(key=lambda r: position[r[0]])  # the order of `ids`
        return rows
