"""The vault: anonymous Index IDs, their encrypted templates and metadata, keys, audit.

    with Vault.open(data_dir) as vault:
        index_id = vault.enroll(embeddings, consent_version="v3")
        matches = vault.search(probe)
        receipt = vault.delete(index_id, reason="user request")

A thin facade over rooms: it opens the stores, owns the lock and the transaction helper
(`MetaDb`) and delegates. Writers are serialised by one lock; searches take only the
per-space read lock. Every write is durable when the call returns. One process at a time
(an flock on `vault.lock`): a second gets `VaultLockedError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.vault.api_keys import ApiKeys
from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.backup import write_backup
from facekiosk.vault.credentials import Credentials
from facekiosk.vault.crypto import ENVELOPE_FILE, derive_subkey
from facekiosk.vault.enrolment import Enrolment
from facekiosk.vault.errors import VaultError, VaultKeyError
from facekiosk.vault.event_log import EventLog
from facekiosk.vault.fields import FieldCipher
from facekiosk.vault.identities import Identities
from facekiosk.vault.key_room import VaultKeys
from facekiosk.vault.keys import acquire_process_lock, create_keys, unlock_with_kek
from facekiosk.vault.leftovers import wipe_temp_files
from facekiosk.vault.metadata import METADATA_FILE, open_metadata
from facekiosk.vault.metadb import MetaDb
from facekiosk.vault.purge_ledger import LEDGER_FILE, PurgeLedger
from facekiosk.vault.records import (
    AuditEntry,
    AuditVerification,
    EventRecord,
    IdentityRecord,
    Match,
    PurgeReceipt,
)
from facekiosk.vault.restore import restore
from facekiosk.vault.space_index import SearchParams
from facekiosk.vault.templates import Templates
from facekiosk.vault.transfer import Transfer
from facekiosk.vault.vector_store import VectorStore
from facekiosk.vault.webhook_outbox import WebhookOutbox


class Vault:
    """Open with `Vault.open(...)`; see the module docstring."""

    def __init__(self) -> None:  # use Vault.open
        raise TypeError("use Vault.open(data_dir)")

    @classmethod
    def open(
        cls, data_dir: Path, *, passphrase: str | None = None, create: bool = True,
        compact_every: int = 1000, search: SearchParams | None = None,
    ) -> Vault:  # fmt: skip
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
        self._setup(data_dir, passphrase, compact_every, search or SearchParams())
        return self

    def _setup(
        self, data_dir: Path, passphrase: str | None, compact_every: int, params: SearchParams
    ) -> None:
        self.data_dir = data_dir
        envelope_path = data_dir / ENVELOPE_FILE
        self._lock_fd: int | None = acquire_process_lock(data_dir)
        self._closers: list[MetaDb | Templates] = []
        try:
            wipe_temp_files(data_dir)  # a crash's leftovers may hold templates purged since
            if envelope_path.exists():
                envelope, ring, kek = unlock_with_kek(data_dir, passphrase)
            else:
                envelope, ring, kek = create_keys(data_dir, passphrase)
            self.keys = VaultKeys(data_dir, envelope, ring)
            self.vault_id = envelope.vault_id
            self.db = MetaDb(open_metadata(data_dir), data_dir)
            self._closers.append(self.db)
            self.db.bind(self.vault_id)
            self.trail = AuditTrail(self.db, ring, self.vault_id, data_dir)
            self.trail.load_anchor(lambda: self.keys.mark_audit_anchored(kek))
            fields = FieldCipher(ring, self.vault_id)
            self.identities = Identities(self.db, fields, self.trail)
            pepper = derive_subkey(ring, self.vault_id, "pin-pepper")
            self.credentials = Credentials(self.db, self.trail, pepper)
            self.event_log = EventLog(self.db)
            api_pepper, hook_key = (derive_subkey(ring, self.vault_id, p) for p in ("api", "hook"))
            self.api_keys = ApiKeys(self.db, self.trail, api_pepper)  # the integrator API
            self.webhooks = WebhookOutbox(self.db, self.trail, hook_key)  # and its webhooks
            store = VectorStore(data_dir, self.vault_id, ring, params)
            self.templates = Templates(store, params, compact_every)
            self._closers.append(self.templates)
            self.ledger = PurgeLedger.open_for_vault(data_dir / LEDGER_FILE, ring, self.vault_id)
            self.enrolment = Enrolment(
                self.db, self.templates, self.identities, self.credentials, self.event_log,
                self.trail, self.ledger,
            )  # fmt: skip
            self.enrolment.reconcile()
            self.transfer = Transfer.of(self, ring)  # one identity out / in (site sync)
        except BaseException:
            self._release()
            raise

    def close(self) -> None:
        with self.db.lock:
            self._release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _release(self) -> None:
        while self._closers:
            self._closers.pop().close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def enroll(
        self, embeddings: Sequence[Embedding], *, label: str | None = None,
        payload: bytes | None = None, consent_version: str | None = None,
        valid_until: datetime | None = None, actor: str = "kiosk",
    ) -> str:  # fmt: skip
        """A new anonymous Index ID (UUID4) for one person; durable when it returns."""
        return self.enrolment.enroll(embeddings, label=label, payload=payload,
                                     consent_version=consent_version, valid_until=valid_until,
                                     actor=actor)  # fmt: skip

    def enroll_many(self, templates: np.ndarray, space: str) -> list[str]:
        """Bulk import of ready-made unit templates (migrations, benchmarks)."""
        return self.enrolment.enroll_many(templates, space)

    def replace_template(
        self, index_id: str, embeddings: Sequence[Embedding], *, actor: str = "admin"
    ) -> None:
        """Re-enrolment: the old template is purged from every file, the Index ID is kept."""
        self.enrolment.replace_template(index_id, embeddings, actor=actor)

    def delete(
        self, index_ids: str | Sequence[str], *, reason: str = "", actor: str = "admin"
    ) -> PurgeReceipt:
        """Purge Index IDs for good: template, metadata, PIN, consent; events anonymised."""
        return self.enrolment.delete(index_ids, reason=reason, actor=actor)

    def compact(self, *, full: bool = False) -> None:
        """Fold the journal into the snapshot now (`full`: rewrite every segment too)."""
        with self.db.lock:
            self.templates.compact(full=full)

    def search(self, embedding: Embedding, k: int = 5) -> list[Match]:
        """Top-k Index IDs by cosine similarity, best first."""
        return self.templates.search(embedding, k)

    def find_duplicate(self, embedding: Embedding, threshold: float) -> Match | None:
        """The enrolled Index ID this face already belongs to, if any (enrollment check)."""
        return self.templates.find_duplicate(embedding, threshold)

    def spaces(self) -> dict[str, int]:
        """Model space -> number of templates."""
        return self.templates.counts()

    def search_info(self) -> dict[str, dict[str, Any]]:
        """Model space -> templates, "exact" or "quantised" search, and segment count."""
        return self.templates.info()

    def get(self, index_id: str) -> IdentityRecord:
        return self.identities.get(index_id)

    def count(self, search: str | None = None) -> int:
        return self.identities.count(search)

    def list_ids(
        self, offset: int = 0, limit: int | None = None, search: str | None = None,
        order_by: str = "created",
    ) -> list[IdentityRecord]:  # fmt: skip
        return self.identities.list_ids(offset, limit, search, order_by)

    def get_payload(self, index_id: str) -> bytes | None:
        return self.identities.get_payload(index_id)

    def update(
        self, index_id: str, *, label: str | None = None, payload: bytes | None = None,
        valid_until: datetime | None = None, status: str | None = None, actor: str = "admin",
    ) -> None:  # fmt: skip
        """Change label / payload / validity / status; arguments left as None are unchanged."""
        self.identities.update(
            index_id, label=label, payload=payload, valid_until=valid_until, status=status,
            actor=actor,
        )  # fmt: skip

    def touch(self, index_id: str, at: datetime | None = None) -> None:
        """Record that this Index ID was just recognised (last seen)."""
        self.identities.touch(index_id, at)

    def record_consent(
        self, index_id: str, version: str, accepted_at: datetime | None = None, *,
        actor: str = "kiosk",
    ) -> None:  # fmt: skip
        """A (re-)consent to `version`; audited, so a site pushes it."""
        self.identities.record_consent(index_id, version, accepted_at, actor)

    def consents(self, index_id: str) -> list[tuple[str, datetime]]:
        return self.identities.consents(index_id)

    def set_pin(self, index_id: str, pin: str, *, actor: str = "kiosk") -> None:
        """Store a scrypt hash of the PIN (policy checks are the caller's)."""
        self.credentials.set_pin(index_id, pin, actor=actor)

    def verify_pin(self, index_id: str, pin: str) -> bool:
        """Constant-time check; False when no PIN is set (ask `has_pin` first)."""
        return self.credentials.verify_pin(index_id, pin)

    def has_pin(self, index_id: str) -> bool:
        return self.credentials.has_pin(index_id)

    def clear_pin(self, index_id: str, *, actor: str = "admin") -> None:
        """Remove the PIN (audited when there was one)."""
        self.credentials.clear_pin(index_id, actor)

    def get_counter(self, key: str, default: int = 0) -> int:
        """Small integer store for lockouts (keys containing an Index ID are purged with it)."""
        return self.credentials.get_counter(key, default)

    def set_counter(self, key: str, value: int) -> None:
        self.credentials.set_counter(key, value)

    def delete_counter(self, key: str) -> None:
        self.credentials.delete_counter(key)

    def record_event(
        self, kind: str, index_id: str | None = None, kiosk_id: str = "", decision: str = "",
        reason: str = "", extra: dict[str, Any] | None = None, at: datetime | None = None,
    ) -> int:  # fmt: skip
        """An attendance/access/authentication event (no biometrics)."""
        return self.event_log.record(kind, index_id, kiosk_id, decision, reason, extra, at)

    def events(
        self, since: datetime | None = None, until: datetime | None = None,
        kind: str | None = None, index_id: str | None = None, limit: int | None = None,
    ) -> list[EventRecord]:  # fmt: skip
        """Events in time order; `since` inclusive, `until` exclusive."""
        return self.event_log.query(since, until, kind, index_id, limit)

    def events_after(self, event_id: int, limit: int = 500) -> list[EventRecord]:
        """Events after id `event_id`, oldest first: with `audit_entries(since_seq)` (every
        enrolment (bulk: `enroll_bulk` with `index_ids`), template change, update, PIN set
        or cleared, consent and purge, committed in the same transaction as the change)
        the change feed that webhooks and site sync tail."""
        return self.event_log.after(event_id, limit)

    def add_change_listener(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Call `fn()` after every committed write (never after a rollback), in the
        writer's thread: keep it to a signal (site sync writes one byte to a pipe). A
        listener that raises is logged and ignored. Returns a function that removes it."""
        return self.db.on_change(fn)

    def audit(self, action: str, actor: str, details: dict[str, Any] | None = None) -> int:
        """Append a hash-chained entry (no biometrics, PINs or names in `details`)."""
        return self.trail.record(action, actor, details)

    def audit_entries(self, since_seq: int = 0, limit: int | None = None) -> list[AuditEntry]:
        return self.trail.entries(since_seq, limit)

    def verify_audit(self, checkpoint: str | None = None) -> AuditVerification:
        """Chain, sealed head anchor and an off-device checkpoint token (see AuditTrail)."""
        return self.trail.verify(checkpoint)

    def audit_checkpoint(self) -> str:
        """A short token naming the newest audit entry, to keep off the device."""
        return self.trail.checkpoint()

    def export_key(self, passphrase: str | None = None, *, device_key: bool = False) -> bytes:
        """The wrapped data keys (JSON) for the site's safe (see VaultKeys.export)."""
        with self.db.lock:
            return self.keys.export(passphrase, self.trail, device_key=device_key)

    def rotate_key(
        self, *, passphrase: str | None = None, reencrypt: bool = False,
        keep_for_backups: bool = True,
    ) -> None:  # fmt: skip
        """New key-encryption key; `reencrypt`: new data key too (see VaultKeys.rotate)."""
        with self.db.lock:
            self.keys.rotate(
                passphrase, reencrypt, keep_for_backups=keep_for_backups, db=self.db,
                templates=self.templates, fields=self.identities.fields, trail=self.trail,
            )  # fmt: skip

    def backup(self, dest: Path) -> Path:
        """One encrypted archive of keys envelope, snapshot and metadata (see backup.py)."""
        with self.db.lock:
            return write_backup(self.keys, self.db, self.templates, self.trail, Path(dest))

    restore = staticmethod(restore)  # into an empty data dir; later purges re-applied
