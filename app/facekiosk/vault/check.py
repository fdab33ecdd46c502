"""`facekiosk admin check`: read every sealed unit of the vault without opening it.

Opening a damaged vault stops at the first bad unit (the kiosk must not run on it). An
admin deciding what to do next needs the whole picture: which files, which offsets, and
how much is still readable. This reads the snapshot manifest, every segment file and
every journal record (past a bad one while its length fields are intact), then every
sealed field of the metadata (labels, payloads: `check_fields.py`) and the audit chain
through a read-only SQLite connection, and names every file in the vault's area it
cannot account for (a crash's temp files, segments the snapshot does not name, strays).
It writes nothing (the SQLite -shm only when a crash left an unmerged WAL).
"""

from __future__ import annotations

import os
import sqlite3
import struct
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from facekiosk.vault import audit as audit_log
from facekiosk.vault.check_fields import check_sealed_fields
from facekiosk.vault.crypto import AuthenticationFailed, KeyRing
from facekiosk.vault.errors import VaultCorruptError
from facekiosk.vault.keys import acquire_process_lock, unlock
from facekiosk.vault.leftovers import unaccounted
from facekiosk.vault.metadata import METADATA_FILE
from facekiosk.vault.purge_ledger import LEDGER_FILE, LedgerError, PurgeLedger
from facekiosk.vault.records import AuditVerification
from facekiosk.vault.vector_store import VectorStore, section_files


@dataclass
class FileReport:
    readable: int = 0
    damaged: list[tuple[int, str]] = field(default_factory=list)  # (offset, what)
    unaccounted: bool = False  # not a file the vault accounts for (listed in `damaged`)


@dataclass
class CheckReport:
    files: dict[str, FileReport]
    audit: AuditVerification

    @property
    def ok(self) -> bool:
        return self.audit.ok and not any(f.damaged for f in self.files.values())

    @property
    def unaccounted(self) -> list[str]:
        return sorted(n for n, f in self.files.items() if f.unaccounted)


def check_vault(data_dir: Path, passphrase: str | None = None) -> CheckReport:
    """VaultLockedError while the kiosk holds the vault; VaultKeyError on a wrong key."""
    lock = acquire_process_lock(data_dir)  # a compaction must not run under our feet
    try:
        envelope, ring = unlock(data_dir, passphrase)
        store = VectorStore(data_dir, envelope.vault_id, ring)
        files: dict[str, FileReport] = defaultdict(FileReport)
        named: set[str] = set()
        for path, _offset, result in store.scan():
            report = files[path.name]
            if isinstance(result, VaultCorruptError):
                report.damaged.append((result.offset, result.detail))
                continue
            report.readable += 1
            if path == store.snapshot_path:
                named |= _named_segments(result)
        for name, why in unaccounted(data_dir, named).items():
            files[name].damaged.append((0, why))
            files[name].unaccounted = True
        _ledger(data_dir, ring, envelope.vault_id, files)
        audit = _audit(data_dir, ring, envelope.vault_id, files)
        return CheckReport(dict(files), audit)
    finally:
        os.close(lock)


def _ledger(
    data_dir: Path, ring: KeyRing, vault_id: str, files: dict[str, FileReport]
) -> None:
    """The purge ledger's chain (a damaged one would let a restore bring people back)."""
    path = data_dir / LEDGER_FILE
    if not path.exists():
        return
    try:
        ledger = PurgeLedger.load(path, ring, vault_id)
    except LedgerError as exc:
        files[LEDGER_FILE].damaged.append((0, f"{exc}; restore it from the newest backup"))
        return
    files[LEDGER_FILE].readable += len(ledger.entries)


def _named_segments(section: bytes) -> set[str]:
    try:
        return set(section_files(section))
    except (struct.error, ValueError, KeyError, TypeError):  # a format 1/2 snapshot: none
        return set()


def _audit(
    data_dir: Path, ring: KeyRing, vault_id: str, files: dict[str, FileReport]
) -> AuditVerification:
    """SQLite's own integrity check of the metadata file, every sealed field (one entry
    per field kind in `files`), then the audit chain and its head anchor."""
    metadata = files[METADATA_FILE]
    db = data_dir / METADATA_FILE
    if not db.exists():
        return AuditVerification(False, 0, None, f"{METADATA_FILE} is missing")
    # immutable: no -wal/-shm files created; only safe while no WAL holds unmerged pages
    # (a crash can leave some: then a plain read-only connection, which may create -shm)
    wal = db.with_name(db.name + "-wal")
    immutable = "&immutable=1" if not wal.exists() or wal.stat().st_size == 0 else ""
    conn = sqlite3.connect(f"file:{db}?mode=ro{immutable}", uri=True)
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
        if found == ["ok"]:
            metadata.readable += 1
        else:
            metadata.damaged += [(0, f"SQLite integrity_check: {line}") for line in found]
        for name, (readable, damaged) in check_sealed_fields(conn, ring, vault_id).items():
            files[name].readable += readable
            files[name].damaged += [(0, what) for what in damaged]
        anchor, problem = None, ""
        try:
            anchor = audit_log.read_anchor(data_dir / audit_log.ANCHOR_FILE, ring, vault_id)
        except FileNotFoundError:
            problem = f"the audit head anchor {audit_log.ANCHOR_FILE} is missing"
        except (AuthenticationFailed, ValueError, KeyError) as exc:
            problem = f"the audit head anchor fails authentication ({exc})"
        return audit_log.verify(conn, ring.audit_key, anchor, problem)
    except sqlite3.DatabaseError as exc:
        return AuditVerification(False, 0, None, f"{METADATA_FILE}: {exc}")
    finally:
        conn.close()
