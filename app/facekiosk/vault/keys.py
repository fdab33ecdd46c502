"""Key-encryption keys on disk: the device key file, the passphrase, the envelope.

A rotated device key is written as `vault.kek.next` before the envelope that needs it
and renamed after, so a crash at any point leaves a key that opens the envelope.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import uuid
from pathlib import Path

from facekiosk.fsutil import atomic_write
from facekiosk.vault.crypto import (
    DEVICE_KEY_FILE,
    ENVELOPE_FILE,
    PASSPHRASE_SCRYPT,
    Envelope,
    KeyRing,
    derive_passphrase_kek,
    read_device_kek,
)
from facekiosk.vault.errors import VaultKeyError, VaultLockedError

log = logging.getLogger(__name__)

LOCK_FILE = "vault.lock"
NEXT_KEY_SUFFIX = ".next"


def passphrase_envelope(vault_id: str, ring: KeyRing, passphrase: str) -> Envelope:
    salt = secrets.token_bytes(16)
    kek = derive_passphrase_kek(passphrase, salt, PASSPHRASE_SCRYPT)
    return Envelope.wrap(vault_id, ring, kek, "passphrase", salt)


def write_envelope(
    data_dir: Path, vault_id: str, ring: KeyRing, passphrase: str | None
) -> Envelope:
    """Seal `ring` under a new KEK: `passphrase`, or a fresh device key file when None."""
    kek_path = data_dir / DEVICE_KEY_FILE
    if passphrase is not None:
        env = passphrase_envelope(vault_id, ring, passphrase)
        atomic_write(data_dir / ENVELOPE_FILE, env.to_bytes())
        kek_path.unlink(missing_ok=True)
        return env
    kek = secrets.token_bytes(32)
    pending = kek_path.with_name(kek_path.name + NEXT_KEY_SUFFIX)
    atomic_write(pending, kek)
    env = Envelope.wrap(vault_id, ring, kek, "device", None)
    atomic_write(data_dir / ENVELOPE_FILE, env.to_bytes())
    os.replace(pending, kek_path)
    return env


def acquire_process_lock(data_dir: Path) -> int:
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise VaultLockedError(f"the vault in {data_dir} is open in another process") from exc
    return fd


def unlock(data_dir: Path, passphrase: str | None) -> tuple[Envelope, KeyRing]:
    envelope, ring, _kek = unlock_with_kek(data_dir, passphrase)
    return envelope, ring


def unlock_with_kek(data_dir: Path, passphrase: str | None) -> tuple[Envelope, KeyRing, bytes]:
    envelope_path = data_dir / ENVELOPE_FILE
    envelope = Envelope.from_bytes(envelope_path.read_bytes(), str(envelope_path))
    if envelope.mode == "device":
        if passphrase is not None:
            raise VaultKeyError("this vault is locked by a device key file, not a passphrase")
        kek_path = data_dir / DEVICE_KEY_FILE
        pending = kek_path.with_name(kek_path.name + NEXT_KEY_SUFFIX)
        try:
            kek = read_device_kek(kek_path)
            return envelope, envelope.unwrap(kek), kek
        except VaultKeyError:
            if not pending.exists():
                raise
            kek = read_device_kek(pending)
            ring = envelope.unwrap(kek)  # a rotation cut short
            os.replace(pending, kek_path)
            return envelope, ring, kek
    if passphrase is None:
        raise VaultKeyError("this vault is locked by an admin passphrase; give it")
    kek = envelope.kek_from(passphrase=passphrase, key_file=None)
    return envelope, envelope.unwrap(kek), kek


def mark_audit_anchored(data_dir: Path, envelope: Envelope, ring: KeyRing, kek: bytes) -> Envelope:
    """Record in the sealed envelope that the audit chain has an anchor (once per vault)."""
    ring.audit_anchored = True
    marked = envelope.rewrap(ring, kek)
    atomic_write(data_dir / ENVELOPE_FILE, marked.to_bytes())
    return marked


def create_keys(data_dir: Path, passphrase: str | None) -> tuple[Envelope, KeyRing, bytes]:
    ring = KeyRing.generate()
    vault_id = str(uuid.uuid4())
    if passphrase is None:
        kek = secrets.token_bytes(32)
        atomic_write(data_dir / DEVICE_KEY_FILE, kek)
        envelope = Envelope.wrap(vault_id, ring, kek, "device", None)
    else:
        salt = secrets.token_bytes(16)
        kek = derive_passphrase_kek(passphrase, salt, PASSPHRASE_SCRYPT)
        envelope = Envelope.wrap(vault_id, ring, kek, "passphrase", salt)
    atomic_write(data_dir / ENVELOPE_FILE, envelope.to_bytes())
    log.info("created vault %s (%s key)", vault_id, envelope.mode)
    return envelope, ring, kek
