"""One-file encrypted backups: `MAGIC | u32 length | key envelope | sealed tar`.

The key envelope travels in the clear (it is wrapped); everything else is one
AES-GCM message under the vault's data key, the purge ledger included. Restore (restore.py)
unwraps and authenticates the whole archive in memory before writing a single byte, into an
empty data dir only.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import tarfile
from pathlib import Path

from facekiosk.fsutil import atomic_write
from facekiosk.vault.audit import ANCHOR_FILE
from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.crypto import (
    DEVICE_KEY_FILE,
    ENVELOPE_FILE,
    SEAL_OVERHEAD,
    AuthenticationFailed,
    Envelope,
    KeyRing,
    seal,
    sealed_key_id,
    unseal,
)
from facekiosk.vault.errors import VaultCorruptError, VaultError, disk_full_guard
from facekiosk.vault.key_room import VaultKeys
from facekiosk.vault.metadata import METADATA_FILE
from facekiosk.vault.metadb import MetaDb
from facekiosk.vault.purge_ledger import LEDGER_FILE
from facekiosk.vault.templates import Templates
from facekiosk.vault.vector_store import JOURNAL_FILE, SEGMENT_NAME, SEGMENT_PREFIX, SNAPSHOT_FILE

MAGIC = b"FKBACKUP1"
_U32 = struct.Struct(">I")
LEDGER_MEMBER = LEDGER_FILE
MEMBERS = (SNAPSHOT_FILE, JOURNAL_FILE, METADATA_FILE, ANCHOR_FILE, LEDGER_MEMBER)
# A data dir holding only a purge ledger counts as empty: restore uses that ledger.
VAULT_FILES = (ENVELOPE_FILE, DEVICE_KEY_FILE, SNAPSHOT_FILE, JOURNAL_FILE, METADATA_FILE,
               ANCHOR_FILE)  # fmt: skip


def _aad(vault_id: str) -> bytes:
    return f"facekiosk/{vault_id}/backup".encode()


def write_backup(
    keys: VaultKeys, db: MetaDb, templates: Templates, trail: AuditTrail, dest: Path
) -> Path:
    """Caller holds the vault lock. On a full disk (read-only vault) the backup is still
    written, to another disk, without the compaction and the audit entry (the journal is
    archived as it is)."""
    if not db.read_only:
        templates.compact()
    path = _write(keys, db.conn, dest)
    if not db.read_only:
        trail.record("backup", "admin", {"file": path.name})
    return path


def _write(keys: VaultKeys, conn: sqlite3.Connection, dest: Path) -> Path:
    if dest.is_dir():
        dest = dest / f"facekiosk-{keys.vault_id[:8]}.fkbackup"
    buf = io.BytesIO()
    segments = sorted(p.name for p in keys.data_dir.glob(f"{SEGMENT_PREFIX}*"))
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in (*MEMBERS, *(n for n in segments if SEGMENT_NAME.fullmatch(n))):
            if name == METADATA_FILE:
                data = conn.serialize()  # a consistent copy, in memory
            else:
                path = keys.data_dir / name
                if not path.exists():
                    continue
                data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    envelope = keys.envelope.to_bytes()
    body = seal(keys.ring, _aad(keys.vault_id), buf.getvalue())
    ledger = keys.data_dir / LEDGER_FILE
    with disk_full_guard(dest.parent):
        atomic_write(dest, MAGIC + _U32.pack(len(envelope)) + envelope + body)
        if ledger.exists():  # beside it: the newest ledger, for restoring an older archive
            atomic_write(ledger_copy_path(dest), ledger.read_bytes())
    return dest


def ledger_copy_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".purges")


def read_envelope(archive: Path) -> Envelope:
    """The backup's key envelope (to know whether it needs a passphrase or a key file)."""
    return open_archive(archive)[0]


def open_archive(archive: Path) -> tuple[Envelope, bytes, int]:
    """(key envelope, sealed body, the body's byte offset in the file)."""
    try:
        data = archive.read_bytes()
    except OSError as exc:
        raise VaultError(f"{archive}: {exc.strerror}") from exc
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise VaultError(f"{archive}: not a facekiosk backup")
    pos = len(MAGIC)
    (env_len,) = _U32.unpack_from(data, pos)
    envelope = Envelope.from_bytes(data[pos + 4 : pos + 4 + env_len], str(archive))
    pos += 4 + env_len
    return envelope, data[pos:], pos


def read_members(
    archive: Path, ring: KeyRing, vault_id: str, body: bytes, offset: int
) -> dict[str, bytes] | None:
    """The archived files; None when `ring` lacks the body's data key."""
    if len(body) >= SEAL_OVERHEAD and sealed_key_id(body) not in ring.keys:
        return None
    try:
        plain = unseal(ring, _aad(vault_id), body)
    except AuthenticationFailed as exc:
        raise VaultCorruptError(archive, offset, f"backup body: {exc}") from exc
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        for member in tar.getmembers():
            wanted = member.name in MEMBERS or SEGMENT_NAME.fullmatch(member.name)
            if wanted and member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[member.name] = extracted.read()
    return files
