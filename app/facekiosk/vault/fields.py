"""Encrypted metadata fields (labels, payloads): one AES-GCM message each, bound to the
vault, the field kind and the Index ID, so a value moved to another identity fails."""

from __future__ import annotations

import sqlite3

from facekiosk.vault.crypto import AuthenticationFailed, KeyRing, seal, sealed_key_id, unseal
from facekiosk.vault.errors import VaultError
from facekiosk.vault.metadata import METADATA_FILE


class FieldCipher:
    def __init__(self, ring: KeyRing, vault_id: str) -> None:
        self.ring = ring
        self.vault_id = vault_id

    def _aad(self, kind: str, index_id: str) -> bytes:
        return f"facekiosk/{self.vault_id}/{kind}/{index_id}".encode()

    def seal(self, kind: str, index_id: str, value: str | bytes | None) -> bytes | None:
        if value is None:
            return None
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return seal(self.ring, self._aad(kind, index_id), data)

    def open(self, kind: str, index_id: str, blob: bytes) -> bytes:
        try:
            return unseal(self.ring, self._aad(kind, index_id), blob)
        except AuthenticationFailed as exc:
            raise VaultError(f"{METADATA_FILE}: {kind} of {index_id} fails authentication") from exc

    def open_text(self, kind: str, index_id: str, blob: bytes | None) -> str | None:
        return None if blob is None else self.open(kind, index_id, blob).decode("utf-8")

    def reseal_all(self, db: sqlite3.Connection, old_ids: set[int]) -> None:
        """Re-encrypt every label and payload still sealed under one of `old_ids` with the
        current key (caller holds the transaction)."""
        rows = db.execute("SELECT index_id, label_ct, payload_ct FROM identities").fetchall()
        for index_id, label_ct, payload_ct in rows:
            new = []
            for kind, blob in (("label", label_ct), ("payload", payload_ct)):
                if blob is not None and sealed_key_id(blob) in old_ids:
                    plain = self.open(kind, index_id, blob)
                    blob = seal(self.ring, self._aad(kind, index_id), plain)
                new.append(blob)
            db.execute(
                "UPDATE identities SET label_ct=?, payload_ct=? WHERE index_id=?",
                (*new, index_id),
            )
