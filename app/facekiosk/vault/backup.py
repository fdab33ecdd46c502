"""One-file encrypted backups: `MAGIC | u32 length | key envelope | sealed tar`.

The key envelope travels in the clear (it is wrapped); everything else is one
AES-GCM message under the vault's data key. Restore unwraps and authenticates the
whole archive in memory before writing a single byte, into an empty data dir only.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import tarfile
from pathlib import Path

from facekiosk.fsutil import atomic_write
from facekiosk.vault.audit import ANCHOR_FILE
from facekiosk.vault.crypto import (
    DEVICE_KEY_FILE,
    ENVELOPE_FILE,
    AuthenticationFailed,
    Envelope,
    seal,
    unseal,
)
from facekiosk.vault.errors import VaultCorruptError, VaultError
from facekiosk.vault.key_room import VaultKeys
from facekiosk.vault.metadata import METADATA_FILE
from facekiosk.vault.vector_store import JOURNAL_FILE, SEGMENT_NAME, SEGMENT_PREFIX, SNAPSHOT_FILE

MAGIC = b"FKBACKUP1"
_U32 = struct.Struct(">I")
MEMBERS = (SNAPSHOT_FILE, JOURNAL_FILE, METADATA_FILE, ANCHOR_FILE)
VAULT_FILES = (ENVELOPE_FILE, DEVICE_KEY_FILE, *MEMBERS)


def _aad(vault_id: str) -> bytes:
    return f"facekiosk/{vault_id}/backup".encode()


def write_backup(keys: VaultKeys, conn: sqlite3.Connection, dest: Path) -> Path:
    """Caller holds the vault lock and has just compacted."""
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
    atomic_write(dest, MAGIC + _U32.pack(len(envelope)) + envelope + body)
    return dest


def read_envelope(archive: Path) -> Envelope:
    """The backup's key envelope (to know whether it needs a passphrase or a key file)."""
    with open(archive, "rb") as fh:
        head = fh.read(len(MAGIC) + 4)
        if not head.startswith(MAGIC) or len(head) < len(MAGIC) + 4:
            raise VaultError(f"{archive}: not a facekiosk backup")
        (env_len,) = _U32.unpack_from(head, len(MAGIC))
        return Envelope.from_bytes(fh.read(env_len), str(archive))


def restore_backup(
    archive: Path, data_dir: Path, *, passphrase: str | None, key_file: Path | None
) -> str:
    data = archive.read_bytes()
    if not data.startswith(MAGIC):
        raise VaultError(f"{archive}: not a facekiosk backup")
    pos = len(MAGIC)
    (env_len,) = _U32.unpack_from(data, pos)
    envelope = Envelope.from_bytes(data[pos + 4 : pos + 4 + env_len], str(archive))
    pos += 4 + env_len
    kek = envelope.kek_from(passphrase=passphrase, key_file=key_file)
    ring = envelope.unwrap(kek)  # VaultKeyError: nothing written
    try:
        plain = unseal(ring, _aad(envelope.vault_id), data[pos:])
    except AuthenticationFailed as exc:
        raise VaultCorruptError(archive, pos, f"backup body: {exc}") from exc
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        for member in tar.getmembers():
            wanted = member.name in MEMBERS or SEGMENT_NAME.fullmatch(member.name)
            if wanted and member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[member.name] = extracted.read()
    if METADATA_FILE not in files:
        raise VaultError(f"{archive}: backup has no metadata")
    present = [name for name in VAULT_FILES if (data_dir / name).exists()]
    if present:
        raise VaultError(
            f"{data_dir} already holds a vault ({', '.join(present)}): "
            "restore into an empty data dir"
        )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, content in files.items():
        atomic_write(data_dir / name, content)
    if envelope.mode == "device":
        atomic_write(data_dir / DEVICE_KEY_FILE, kek)
    atomic_write(data_dir / ENVELOPE_FILE, envelope.to_bytes())  # last: marks it complete
    return envelope.vault_id
