"""The vault's keys once open: the envelope on disk, the unwrapped key ring, export and
rotation (a new key-encryption key, optionally a new data key with everything re-sealed)."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.crypto import DEVICE_KEY_FILE, Envelope, KeyRing, read_device_kek
from facekiosk.vault.fields import FieldCipher
from facekiosk.vault.keys import mark_audit_anchored, passphrase_envelope, write_envelope
from facekiosk.vault.metadb import MetaDb
from facekiosk.vault.templates import Templates

log = logging.getLogger(__name__)
EXPORT_KIND = "facekiosk-key-export"


class VaultKeys:
    def __init__(self, data_dir: Path, envelope: Envelope, ring: KeyRing) -> None:
        self.data_dir = data_dir
        self.envelope = envelope
        self.ring = ring
        self.vault_id = envelope.vault_id

    def mark_audit_anchored(self, kek: bytes) -> None:
        """Once the audit chain has its first anchor: say so inside the sealed envelope."""
        if not self.ring.audit_anchored:
            self.envelope = mark_audit_anchored(self.data_dir, self.envelope, self.ring, kek)

    def export(self, passphrase: str | None, trail: AuditTrail, *, device_key: bool) -> bytes:
        """Without `passphrase`: the envelope as stored (needs the admin passphrase or this
        device's key file); with `device_key`, for a device-key vault, the envelope and the
        device key, so the file alone restores any backup after the disk died (a secret:
        written 0600, kept in the site's safe). With `passphrase`: a recovery envelope
        sealed under it."""
        if passphrase is None and device_key and self.envelope.mode == "device":
            kek = read_device_kek(self.data_dir / DEVICE_KEY_FILE)
            bundle = {
                "kind": EXPORT_KIND,
                "envelope": json.loads(self.envelope.to_bytes()),
                "device_key": base64.b64encode(kek).decode("ascii"),
            }
            data = json.dumps(bundle, indent=2).encode() + b"\n"
        elif passphrase is None:
            data = self.envelope.to_bytes()
        else:
            data = passphrase_envelope(self.vault_id, self.ring, passphrase).to_bytes()
        details = {"recovery_passphrase": passphrase is not None, "device_key": device_key}
        trail.record("key_export", "admin", details)
        return data

    def rewrap(self, passphrase: str | None) -> None:
        """Seal the ring under a new KEK (`passphrase`, or a new device key file)."""
        self.envelope = write_envelope(self.data_dir, self.vault_id, self.ring, passphrase)

    def rotate(
        self,
        passphrase: str | None,
        reencrypt: bool,
        *,
        keep_for_backups: bool,
        db: MetaDb,
        templates: Templates,
        fields: FieldCipher,
        trail: AuditTrail,
    ) -> None:
        """A new key-encryption key (a new device key file, or `passphrase`). `reencrypt`
        also makes a new data key, re-encrypts the segments, labels and payloads with it and
        retires the old one: kept sealed in the ring so that older backups still restore
        (`keep_for_backups`), or forgotten, so that old ciphertext lingering in free disk
        blocks, and every older backup, becomes unreadable. Caller holds the vault lock."""
        if reencrypt:
            old_ids = set(self.ring.keys)
            self.ring.add_key()
            self.rewrap(passphrase)  # both keys: a crash mid-way stays readable
            templates.compact(full=True)  # every segment, new key
            with db.tx() as conn:
                fields.reseal_all(conn, old_ids)
            db.checkpoint()
            trail.write_anchor()  # sealed under the new key before the old one goes
            self.ring.drop_keys_except_current(keep_for_backups=keep_for_backups)
        self.rewrap(passphrase)
        details = {"mode": self.envelope.mode, "reencrypted": reencrypt,
                   "old_backups_restorable": keep_for_backups or not reencrypt}  # fmt: skip
        trail.record("key_rotate", "admin", details)
