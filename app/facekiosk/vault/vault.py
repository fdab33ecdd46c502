"""The vault: anonymous Index IDs, their encrypted templates and metadata, keys, audit.

    with Vault.open(data_dir) as vault:
        index_id = vault.enroll(embeddings, consent_version="v3")
        decision = vault.decide(vault.search(probe), threshold=0.6, margin=0.05)
        receipt = vault.delete(index_id, reason="user request")

Writers (enroll, delete, keys) are serialised by one lock; searches take only the
per-space read lock, so identification keeps running during an enrollment. Every
write is durable when the call returns. One process at a time (an flock on
`vault.lock`): a second process gets `VaultLockedError`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.vault import audit as audit_log
from facekiosk.vault.crypto import (
    ENVELOPE_FILE,
    AuthenticationFailed,
    hash_secret,
    seal,
    unseal,
    verify_secret,
)
from facekiosk.vault.errors import (
    UnknownIndexId,
    VaultError,
    VaultKeyError,
    WrongSpaceError,
)
from facekiosk.vault.keys import (
    acquire_process_lock,
    create_keys,
    passphrase_envelope,
    unlock,
    write_envelope,
)
from facekiosk.vault.matching import decide, make_template
from facekiosk.vault.metadata import METADATA_FILE, open_metadata
from facekiosk.vault.records import (
    AuditEntry,
    AuditVerification,
    EventRecord,
    IdentityRecord,
    Match,
    PurgeReceipt,
)
from facekiosk.vault.space_index import SearchParams, SpaceIndex
from facekiosk.vault.vector_store import SNAPSHOT_FORMAT, JournalRecord, VectorStore

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


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(at: datetime | None) -> str | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (e.g. datetime.now(UTC))")
    return at.astimezone(UTC).isoformat()


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Vault:
    """Open with `Vault.open(...)`; see the module docstring."""

    def __init__(self) -> None:  # use Vault.open
        raise TypeError("use Vault.open(data_dir)")

    # --- lifecycle ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        passphrase: str | None = None,
        create: bool = True,
        compact_every: int = 1000,
        search: SearchParams | None = None,
    ) -> Vault:
        data_dir = Path(data_dir)
        envelope_path = data_dir / ENVELOPE_FILE
        if not envelope_path.exists():
            if not create:
                raise VaultError(f"no vault in {data_dir}")
            if (data_dir / METADATA_FILE).exists():
                raise VaultKeyError(
                    f"{data_dir} has vault data but no {ENVELOPE_FILE}: restore the key "
                    f"envelope (admin key export) instead of creating a new vault over it"
                )
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self = cls.__new__(cls)
        self.data_dir = data_dir
        self._lock = threading.RLock()
        self._lock_fd = acquire_process_lock(data_dir)
        try:
            if envelope_path.exists():
                self._envelope, self._ring = unlock(data_dir, passphrase)
            else:
                self._envelope, self._ring = create_keys(data_dir, passphrase)
            self.vault_id = self._envelope.vault_id
            self._db = open_metadata(data_dir)
            self._audit_dirty = False
            # Decrypted labels for the admin list search, built on first use, kept in sync
            # by enroll/update/delete; memory only (personal data: never written to disk).
            self._labels: dict[str, str | None] | None = None
            self._bind_metadata()
            self._load_anchor()
            self._search_params = search or SearchParams()
            self._store = VectorStore(data_dir, self.vault_id, self._ring, self._search_params)
            self._spaces: dict[str, SpaceIndex] = self._store.load()
            if self._store.loaded_format < SNAPSHOT_FORMAT:  # rewrite an old snapshot now
                log.info(
                    "rewriting snapshot format %d as %d", self._store.loaded_format, SNAPSHOT_FORMAT
                )
                self._store.compact(self._spaces)
            elif self._store.unfinished_purge:  # finish a purge a crash interrupted
                log.warning("finishing an interrupted purge: compacting the vector snapshot")
                self._store.compact(self._spaces)
            self.compact_every = compact_every
            self._reconcile()
        except BaseException:
            self._release()
            raise
        return self

    def close(self) -> None:
        with self._lock:
            self._release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _release(self) -> None:
        self.__dict__.pop("_labels", None)
        for name in ("_store", "_db"):
            obj = self.__dict__.pop(name, None)
            if obj is not None:
                obj.close()
        fd = self.__dict__.pop("_lock_fd", None)
        if fd is not None:
            os.close(fd)  # releases the flock

    def _bind_metadata(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='vault_id'").fetchone()
        if row is None:
            with self._tx():
                self._db.execute(
                    "INSERT INTO meta(key, value) VALUES ('vault_id', ?)", (self.vault_id,)
                )
        elif row[0] != self.vault_id:
            raise VaultKeyError(
                f"{METADATA_FILE} belongs to vault {row[0]}, the keys to {self.vault_id}"
            )

    def _reconcile(self) -> None:
        """Finish what a crash interrupted: orphan vectors are purged, rows without one flagged."""
        in_db = {r[0] for r in self._db.execute("SELECT index_id FROM identities")}
        orphans = [
            (space.space, i)
            for space in self._spaces.values()
            for i in space.ids()
            if i not in in_db
        ]
        if orphans:
            log.warning("purging %d template(s) left by an interrupted enroll/delete", len(orphans))
            self._store.append([JournalRecord("del", s, i) for s, i in orphans])
            for s, i in orphans:
                self._spaces[s].remove(i)
            self._store.compact(self._spaces)
        with_vector = {i for space in self._spaces.values() for i in space.ids()}
        missing = [i for i in in_db if i not in with_vector]
        if missing:
            log.warning("%d Index ID(s) have no template; flagged no_template", len(missing))
            with self._tx():
                self._db.executemany(
                    "UPDATE identities SET status='no_template' WHERE index_id=?",
                    [(i,) for i in missing],
                )

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._audit_dirty = False
                self._db.execute("ROLLBACK")
                raise
            if self._audit_dirty:  # after the commit: a crash here leaves it one behind
                self._audit_dirty = False
                try:
                    self._write_anchor()
                except OSError:  # the change is committed; verify reports the lag
                    log.exception("could not write the audit head anchor")

    # --- audit head anchor (see audit.py) ------------------------------------------------------

    def _append_audit(
        self, db: sqlite3.Connection, key: bytes, action: str, actor: str, details: dict[str, Any]
    ) -> int:
        seq = audit_log.append(db, key, action, actor, details)
        self._audit_dirty = True
        return seq

    def _load_anchor(self) -> None:
        """Read the sealed chain head; a vault from before anchoring gets one now."""
        self._anchor: audit_log.Anchor | None = None
        self._anchor_problem = ""
        path = self.data_dir / audit_log.ANCHOR_FILE
        anchored = self._db.execute("SELECT 1 FROM meta WHERE key='audit_anchor'").fetchone()
        try:
            self._anchor = audit_log.read_anchor(path, self._ring, self.vault_id)
        except FileNotFoundError:
            if anchored:
                self._anchor_problem = (
                    f"the audit head anchor {audit_log.ANCHOR_FILE} is missing (deleted?)"
                )
            else:
                self._write_anchor()
        except (AuthenticationFailed, ValueError, KeyError) as exc:
            self._anchor_problem = (
                f"the audit head anchor {audit_log.ANCHOR_FILE} fails authentication ({exc})"
            )
        if not anchored and not self._anchor_problem:
            with self._tx():
                self._db.execute("INSERT INTO meta(key, value) VALUES ('audit_anchor', '1')")

    def _write_anchor(self) -> None:
        """Seal the current chain head; problems with the old anchor are carried over."""
        seq, mac = audit_log.head(self._db)
        alarms = list(self._anchor.alarms) if self._anchor else []
        problem = self._anchor_problem
        if self._anchor is not None and not problem:
            problem = audit_log.anchor_break(self._db, self._anchor) or ""
        if problem:
            alarms.append(f"{problem} (found when entry {seq} was anchored)")
        anchor = audit_log.Anchor(seq, mac, tuple(alarms))
        audit_log.write_anchor(
            self.data_dir / audit_log.ANCHOR_FILE, self._ring, self.vault_id, anchor
        )
        self._anchor, self._anchor_problem = anchor, ""

    # --- enroll / re-enroll -------------------------------------------------------------------

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
        _check_label_payload(label, payload)
        index_id = str(uuid.uuid4())
        with self._lock:
            self._check_dim(space, template.shape[0])
            self._store.append([JournalRecord("add", space, index_id, template)])
            self._index_for(space, template.shape[0]).add(index_id, template)
            try:
                now = _iso(_now())
                engine, model = space.split("/", 1)
                with self._tx() as db:
                    db.execute(
                        "INSERT INTO identities(index_id, engine, model, created, consent_version,"
                        " status, valid_until, label_ct, payload_ct, n_images, updated)"
                        " VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
                        (
                            index_id,
                            engine,
                            model,
                            now,
                            consent_version,
                            _iso(valid_until),
                            self._seal_field("label", index_id, label),
                            self._seal_field("payload", index_id, payload),
                            len(embeddings),
                            now,
                        ),
                    )
                    if consent_version:
                        db.execute(
                            "INSERT INTO consents(index_id, version, accepted_at) VALUES (?, ?, ?)",
                            (index_id, consent_version, now),
                        )
                    self._append_audit(
                        db,
                        self._ring.audit_key,
                        "enroll",
                        actor,
                        {"index_id": index_id, "space": space, "images": len(embeddings)},
                    )
                if self._labels is not None:
                    self._labels[index_id] = label
            except BaseException:
                self._spaces[space].remove(index_id)
                self._store.append([JournalRecord("del", space, index_id)])
                raise
            self._maybe_compact()
        return index_id

    def enroll_many(self, templates: np.ndarray, space: str) -> list[str]:
        """Bulk import of ready-made unit templates (one per person): one journal write.

        For migrations and benchmarks; no labels, consent or payload.
        """
        vecs = np.ascontiguousarray(templates, dtype=np.float32)
        ids = [str(uuid.uuid4()) for _ in range(len(vecs))]
        engine, model = space.split("/", 1)
        with self._lock:
            self._check_dim(space, vecs.shape[1])
            self._store.append(
                [JournalRecord("add", space, i, v) for i, v in zip(ids, vecs, strict=True)]
            )
            self._index_for(space, vecs.shape[1]).add_many(ids, vecs)
            now = _iso(_now())
            with self._tx() as db:
                db.executemany(
                    "INSERT INTO identities(index_id, engine, model, created, status,"
                    " n_images, updated)"
                    " VALUES (?, ?, ?, ?, 'active', 1, ?)",
                    [(i, engine, model, now, now) for i in ids],
                )
                self._append_audit(
                    db,
                    self._ring.audit_key,
                    "enroll_bulk",
                    "admin",
                    {"count": len(ids), "space": space},
                )
            if self._labels is not None:
                self._labels.update(dict.fromkeys(ids))
            self._store.compact(self._spaces)
        return ids

    def replace_template(
        self, index_id: str, embeddings: Sequence[Embedding], *, actor: str = "admin"
    ) -> None:
        """Re-enrolment: the old template is purged from every file, the Index ID is kept."""
        space, template = make_template(embeddings)
        with self._lock:
            self.get(index_id)
            self._check_dim(space, template.shape[0])
            old = self._space_of(index_id)
            records = [JournalRecord("add", space, index_id, template)]
            if old is not None and old != space:
                records.insert(0, JournalRecord("del", old, index_id))
            self._store.append(records)
            if old is not None and old != space:
                self._spaces[old].remove(index_id)
            self._index_for(space, template.shape[0]).add(index_id, template)
            engine, model = space.split("/", 1)
            with self._tx() as db:
                db.execute(
                    "UPDATE identities SET engine=?, model=?, status='active', n_images=?,"
                    " updated=? WHERE index_id=?",
                    (engine, model, len(embeddings), _iso(_now()), index_id),
                )
                self._append_audit(
                    db,
                    self._ring.audit_key,
                    "replace_template",
                    actor,
                    {"index_id": index_id, "space": space, "images": len(embeddings)},
                )
            self._store.compact(self._spaces)  # the old template leaves the journal now

    def _index_for(self, space: str, dim: int) -> SpaceIndex:
        if space not in self._spaces:
            self._spaces[space] = SpaceIndex(space, dim, params=self._search_params)
        return self._spaces[space]

    def _check_dim(self, space: str, dim: int) -> None:
        existing = self._spaces.get(space)
        if existing is not None and existing.dim != dim:
            raise WrongSpaceError(f"{space} templates are {existing.dim}-d, got {dim}-d")

    def _space_of(self, index_id: str) -> str | None:
        for name, space in self._spaces.items():
            if index_id in space:
                return name
        return None

    def _maybe_compact(self) -> None:
        if self._store.journal_records >= self.compact_every:
            self._store.compact(self._spaces)

    def compact(self, *, full: bool = False) -> None:
        """Fold the journal into the snapshot now (`full`: rewrite every segment too)."""
        with self._lock:
            self._store.compact(self._spaces, full=full)

    # --- search ----------------------------------------------------------------------------------

    def search(self, embedding: Embedding, k: int = 5) -> list[Match]:
        """Top-k Index IDs by cosine similarity, best first."""
        index = self._spaces.get(embedding.space)
        if index is None:
            others = sorted(name for name, s in self._spaces.items() if len(s))
            if others:
                raise WrongSpaceError(
                    f"the vault holds templates of {', '.join(others)}, not {embedding.space}: "
                    f"use that engine or re-enrol with this one"
                )
            return []
        return [Match(i, s) for i, s in index.search(embedding.vector, k)]

    decide = staticmethod(decide)

    def find_duplicate(self, embedding: Embedding, threshold: float) -> Match | None:
        """The enrolled Index ID this face already belongs to, if any (enrollment check)."""
        best = self.search(embedding, k=1)
        return best[0] if best and best[0].similarity >= threshold else None

    def spaces(self) -> dict[str, int]:
        """Model space -> number of templates."""
        return {name: len(s) for name, s in self._spaces.items() if len(s)}

    def search_info(self) -> dict[str, dict[str, Any]]:
        """Model space -> templates, how 1:N search runs ("exact" or "quantised"), and how
        many snapshot segments hold them (for the admin panel and support)."""
        return {
            name: {
                "templates": len(s),
                "search": "quantised" if s.quantised else "exact",
                "segments": len(s.segments()),
            }
            for name, s in self._spaces.items()
            if len(s)
        }

    # --- delete = purge ------------------------------------------------------------------------

    def delete(
        self, index_ids: str | Sequence[str], *, reason: str = "", actor: str = "admin"
    ) -> PurgeReceipt:
        """Purge Index IDs for good: template, metadata, PIN, consent; events anonymised."""
        ids = list(dict.fromkeys([index_ids] if isinstance(index_ids, str) else index_ids))
        if not ids:
            raise ValueError("no Index ID given")
        with self._lock:
            marks = ",".join("?" * len(ids))
            sql = f"SELECT index_id FROM identities WHERE index_id IN ({marks})"
            known = {r[0] for r in self._db.execute(sql, ids)}
            unknown = [i for i in ids if i not in known and self._space_of(i) is None]
            if unknown:
                raise UnknownIndexId(unknown)
            with self._tx() as db:
                rows = db.execute(f"DELETE FROM pins WHERE index_id IN ({marks})", ids).rowcount
                rows += db.execute(
                    f"DELETE FROM consents WHERE index_id IN ({marks})", ids
                ).rowcount
                rows += db.execute(
                    f"DELETE FROM identities WHERE index_id IN ({marks})", ids
                ).rowcount
                for i in ids:
                    rows += db.execute(
                        "DELETE FROM counters WHERE instr(key, ?) > 0", (i,)
                    ).rowcount
                events = db.execute(
                    f"UPDATE events SET index_id=NULL WHERE index_id IN ({marks})", ids
                ).rowcount
                seq = self._append_audit(
                    db, self._ring.audit_key, "purge", actor, {"index_ids": ids, "reason": reason}
                )
            if self._labels is not None:
                for i in ids:
                    self._labels.pop(i, None)
            located = [(self._space_of(i), i) for i in ids]
            self._store.append([JournalRecord("del", s, i) for s, i in located if s])
            removed = sum(
                space.remove_many([i for s, i in located if s == name])
                for name, space in self._spaces.items()
            )
            self._store.compact(self._spaces)  # no snapshot or journal holds the vectors now
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return PurgeReceipt(ids, _now(), removed, rows, events, seq)

    # --- metadata ------------------------------------------------------------------------------

    _SELECT = (
        "SELECT i.index_id, i.created, i.engine, i.model, i.consent_version, i.status,"
        " i.valid_until, i.last_seen, i.label_ct, i.payload_ct IS NOT NULL, i.n_images,"
        " p.index_id IS NOT NULL FROM identities i LEFT JOIN pins p ON p.index_id = i.index_id"
    )

    def _record(
        self, row: tuple[Any, ...], labels: dict[str, str | None] | None = None
    ) -> IdentityRecord:
        return IdentityRecord(
            index_id=row[0],
            created=datetime.fromisoformat(row[1]),
            engine=row[2],
            model=row[3],
            consent_version=row[4],
            status=row[5],
            valid_until=_dt(row[6]),
            last_seen=_dt(row[7]),
            label=labels[row[0]]
            if labels is not None and row[0] in labels
            else self._open_text("label", row[0], row[8]),
            has_payload=bool(row[9]),
            n_images=int(row[10] or 0),
            has_pin=bool(row[11]),
        )

    def _label_cache(self) -> dict[str, str | None]:
        """Index ID -> decrypted label (caller holds the lock); decrypts once per open."""
        if self._labels is None:
            rows = self._db.execute("SELECT index_id, label_ct FROM identities").fetchall()
            self._labels = {i: self._open_text("label", i, blob) for i, blob in rows}
        return self._labels

    def _rows_of(self, ids: list[str]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows += self._db.execute(
                f"{self._SELECT} WHERE i.index_id IN ({marks})", chunk
            ).fetchall()
        position = {i: k for k, i in enumerate(ids)}
        rows.sort(key=lambda r: position[r[0]])  # the order of `ids`
        return rows

    def get(self, index_id: str) -> IdentityRecord:
        with self._lock:
            row = self._db.execute(self._SELECT + " WHERE i.index_id=?", (index_id,)).fetchone()
        if row is None:
            raise UnknownIndexId([index_id])
        return self._record(row)

    def count(self, search: str | None = None) -> int:
        if search:
            return len(self.list_ids(search=search))
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM identities").fetchone()[0])

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
            stop = None if limit is None else offset + limit
            with self._lock:
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
                rows = self._rows_of(ids)
                records = [self._record(r, labels) for r in rows]
            if column == "label":
                return records
            records.sort(
                key=lambda r: (
                    getattr(r, column) is None,
                    str(getattr(r, column) or "").casefold(),
                ),
                reverse=desc,
            )
            return records[offset:stop]
        sql = (
            f"{self._SELECT} ORDER BY i.{column} IS NULL, i.{column} {'DESC' if desc else 'ASC'},"
            f" i.index_id LIMIT ? OFFSET ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (-1 if limit is None else limit, offset)).fetchall()
        return [self._record(r) for r in rows]

    def get_payload(self, index_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT payload_ct FROM identities WHERE index_id=?", (index_id,)
            ).fetchone()
        if row is None:
            raise UnknownIndexId([index_id])
        return None if row[0] is None else self._open_field("payload", index_id, row[0])

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
        """Change label / payload / validity / status; arguments left as None are unchanged."""
        _check_label_payload(label, payload)
        changes: dict[str, Any] = {}
        if label is not None:
            changes["label_ct"] = self._seal_field("label", index_id, label)
        if payload is not None:
            changes["payload_ct"] = self._seal_field("payload", index_id, payload)
        if valid_until is not None:
            changes["valid_until"] = _iso(valid_until)
        if status is not None:
            changes["status"] = status
        if not changes:
            return
        changes["updated"] = _iso(_now())
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE identities SET {', '.join(f'{k}=?' for k in changes)} WHERE index_id=?",
                (*changes.values(), index_id),
            )
            if cur.rowcount == 0:
                raise UnknownIndexId([index_id])
            fields = sorted(k.removesuffix("_ct") for k in changes if k != "updated")
            self._append_audit(
                db, self._ring.audit_key, "update", actor, {"index_id": index_id, "fields": fields}
            )
        if label is not None and self._labels is not None:
            with self._lock:
                self._labels[index_id] = label

    def touch(self, index_id: str, at: datetime | None = None) -> None:
        """Record that this Index ID was just recognised (last seen)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE identities SET last_seen=? WHERE index_id=?", (_iso(at or _now()), index_id)
            )
            if cur.rowcount == 0:
                raise UnknownIndexId([index_id])

    def record_consent(
        self, index_id: str, version: str, accepted_at: datetime | None = None
    ) -> None:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE identities SET consent_version=? WHERE index_id=?", (version, index_id)
            )
            if cur.rowcount == 0:
                raise UnknownIndexId([index_id])
            db.execute(
                "INSERT INTO consents(index_id, version, accepted_at) VALUES (?, ?, ?)",
                (index_id, version, _iso(accepted_at or _now())),
            )

    def consents(self, index_id: str) -> list[tuple[str, datetime]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT version, accepted_at FROM consents WHERE index_id=? ORDER BY id",
                (index_id,),
            ).fetchall()
        return [(v, datetime.fromisoformat(a)) for v, a in rows]

    # --- PINs and counters ---------------------------------------------------------------------

    def set_pin(self, index_id: str, pin: str) -> None:
        """Store a scrypt hash of the PIN (policy checks are the caller's)."""
        if not pin:
            raise ValueError("empty PIN")
        salt, digest, params = hash_secret(pin)
        with self._tx() as db:
            if (
                db.execute("SELECT 1 FROM identities WHERE index_id=?", (index_id,)).fetchone()
                is None
            ):
                raise UnknownIndexId([index_id])
            db.execute(
                "INSERT OR REPLACE INTO pins(index_id, salt, hash, params, set_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (index_id, salt, digest, params, _iso(_now())),
            )
            self._append_audit(db, self._ring.audit_key, "pin_set", "kiosk", {"index_id": index_id})

    def verify_pin(self, index_id: str, pin: str) -> bool:
        """Constant-time check; False when no PIN is set (ask `has_pin` first)."""
        with self._lock:
            row = self._db.execute(
                "SELECT salt, hash, params FROM pins WHERE index_id=?", (index_id,)
            ).fetchone()
        if row is None:
            return False
        return verify_secret(pin, row[0], row[1], row[2])

    def has_pin(self, index_id: str) -> bool:
        with self._lock:
            return (
                self._db.execute("SELECT 1 FROM pins WHERE index_id=?", (index_id,)).fetchone()
                is not None
            )

    def clear_pin(self, index_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM pins WHERE index_id=?", (index_id,))

    def get_counter(self, key: str, default: int = 0) -> int:
        """Small integer store for lockouts and backoff (keys containing an Index ID are
        purged with it)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE key=?", (key,)).fetchone()
        return default if row is None else int(row[0])

    def set_counter(self, key: str, value: int) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO counters(key, value, updated) VALUES (?, ?, ?)",
                (key, int(value), _iso(_now())),
            )

    def delete_counter(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM counters WHERE key=?", (key,))

    # --- audit and events ----------------------------------------------------------------------

    def audit(self, action: str, actor: str, details: dict[str, Any] | None = None) -> int:
        """Append a hash-chained entry (no biometrics, PINs or names in `details`)."""
        with self._tx() as db:
            return self._append_audit(db, self._ring.audit_key, action, actor, details or {})

    def audit_entries(self, since_seq: int = 0, limit: int | None = None) -> list[AuditEntry]:
        with self._lock:
            return audit_log.entries(self._db, since_seq, limit)

    def verify_audit(self, checkpoint: str | None = None) -> AuditVerification:
        """Chain, sealed head anchor and, if given, an off-device checkpoint token
        (`audit_checkpoint()` earlier): the only check that sees a whole-vault rollback.
        A malformed or foreign token raises ValueError."""
        with self._lock:
            result = audit_log.verify(
                self._db, self._ring.audit_key, self._anchor, self._anchor_problem
            )
            if checkpoint is None or not result.ok:
                return result
            problem = audit_log.check_checkpoint(self._db, self.vault_id, checkpoint)
            if problem:
                return AuditVerification(False, result.checked, None, problem)
            return result

    def audit_checkpoint(self) -> str:
        """A short token naming the newest audit entry, to keep off the device."""
        with self._lock:
            seq, mac = audit_log.head(self._db)
            return audit_log.checkpoint_token(self.vault_id, seq, mac)

    def record_event(
        self,
        kind: str,
        index_id: str | None = None,
        kiosk_id: str = "",
        decision: str = "",
        reason: str = "",
        extra: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> int:
        """An attendance/access/authentication event (no biometrics)."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO events(at, kind, index_id, kiosk_id, decision, reason, extra)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _iso(at or _now()),
                    kind,
                    index_id,
                    kiosk_id,
                    decision,
                    reason,
                    json.dumps(extra or {}, default=str),
                ),
            )
            return int(cur.lastrowid or 0)

    def events(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        index_id: str | None = None,
        limit: int | None = None,
    ) -> list[EventRecord]:
        """Events in time order; `since` inclusive, `until` exclusive."""
        where, args = [], []
        for clause, value in (
            ("at >= ?", _iso(since)),
            ("at < ?", _iso(until)),
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
        with self._lock:
            rows = self._db.execute(sql, (*args, -1 if limit is None else limit)).fetchall()
        return [
            EventRecord(
                r[0],
                datetime.fromisoformat(r[1]),
                r[2],
                r[3],
                r[4] or "",
                r[5] or "",
                r[6] or "",
                json.loads(r[7] or "{}"),
            )
            for r in rows
        ]

    # --- keys ------------------------------------------------------------------------------------

    def export_key(self, passphrase: str | None = None) -> bytes:
        """The wrapped data keys (JSON) for the site's safe.

        Without `passphrase`: the envelope as stored (needs this device's key file or
        the admin passphrase). With one: a recovery envelope sealed under that passphrase.
        """
        with self._lock:
            if passphrase is None:
                data = self._envelope.to_bytes()
            else:
                data = passphrase_envelope(self.vault_id, self._ring, passphrase).to_bytes()
            self.audit("key_export", "admin", {"recovery_passphrase": passphrase is not None})
            return data

    def rotate_key(self, *, passphrase: str | None = None, reencrypt: bool = False) -> None:
        """New key-encryption key (a new device key file, or `passphrase`).

        `reencrypt=True` also makes a new data key and re-encrypts the snapshot, labels
        and payloads with it, then forgets the old one (old ciphertext lingering in free
        disk blocks becomes unreadable).
        """
        with self._lock:
            if reencrypt:
                old_ids = set(self._ring.keys)
                self._ring.add_key()
                self._write_envelope(passphrase)  # both keys: a crash mid-way stays readable
                self._store.compact(self._spaces, full=True)  # every segment, new key
                self._reseal_fields(old_ids)
                self._write_anchor()  # sealed under the new key before the old one goes
                self._ring.drop_keys_except_current()
            self._write_envelope(passphrase)
            self.audit(
                "key_rotate", "admin", {"mode": self._envelope.mode, "reencrypted": reencrypt}
            )

    def _write_envelope(self, passphrase: str | None) -> None:
        self._envelope = write_envelope(self.data_dir, self.vault_id, self._ring, passphrase)

    def _reseal_fields(self, old_ids: set[int]) -> None:
        from facekiosk.vault.crypto import sealed_key_id

        with self._tx() as db:
            rows = db.execute("SELECT index_id, label_ct, payload_ct FROM identities").fetchall()
            for index_id, label_ct, payload_ct in rows:
                new = []
                for kind, blob in (("label", label_ct), ("payload", payload_ct)):
                    if blob is not None and sealed_key_id(blob) in old_ids:
                        blob = seal(
                            self._ring,
                            self._field_aad(kind, index_id),
                            self._open_field(kind, index_id, blob),
                        )
                    new.append(blob)
                db.execute(
                    "UPDATE identities SET label_ct=?, payload_ct=? WHERE index_id=?",
                    (*new, index_id),
                )
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- field encryption --------------------------------------------------------------------

    def _field_aad(self, kind: str, index_id: str) -> bytes:
        return f"facekiosk/{self.vault_id}/{kind}/{index_id}".encode()

    def _seal_field(self, kind: str, index_id: str, value: str | bytes | None) -> bytes | None:
        if value is None:
            return None
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return seal(self._ring, self._field_aad(kind, index_id), data)

    def _open_field(self, kind: str, index_id: str, blob: bytes) -> bytes:
        try:
            return unseal(self._ring, self._field_aad(kind, index_id), blob)
        except AuthenticationFailed as exc:
            raise VaultError(f"{METADATA_FILE}: {kind} of {index_id} fails authentication") from exc

    def _open_text(self, kind: str, index_id: str, blob: bytes | None) -> str | None:
        return None if blob is None else self._open_field(kind, index_id, blob).decode("utf-8")

    # --- backup -------------------------------------------------------------------------------

    def backup(self, dest: Path) -> Path:
        """One encrypted archive of keys envelope, snapshot and metadata (see backup.py)."""
        from facekiosk.vault.backup import write_backup

        with self._lock:
            self._store.compact(self._spaces)
            path = write_backup(self, Path(dest))
            self.audit("backup", "admin", {"file": path.name})
            return path

    @staticmethod
    def restore(
        archive: Path,
        data_dir: Path,
        *,
        passphrase: str | None = None,
        key_file: Path | None = None,
    ) -> str:
        """Restore an archive into an empty data dir; returns the vault id."""
        from facekiosk.vault.backup import restore_backup

        return restore_backup(
            Path(archive), Path(data_dir), passphrase=passphrase, key_file=key_file
        )


def _check_label_payload(label: str | None, payload: bytes | None) -> None:
    if label is not None and len(label) > MAX_LABEL:
        raise ValueError(f"label longer than {MAX_LABEL} characters")
    if payload is not None and len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload larger than {MAX_PAYLOAD} bytes")
