"""The site's keys: records sealed with the site data key, and the one-time join token.

The site key (AES-256) exists only on member kiosks, sealed under each kiosk's own vault
key ring (`site.json`). A join token carries a kiosk role, its first password and a 256-bit
secret T. The hub stores SHA-256("hash" | T) to check the token once, and the site key
wrapped under HKDF(T, "wrap"): neither the hub nor its DBA can derive the wrapping key from
what the hub holds, and once used the hub drops the wrapped key and the kiosk changes its
password, so a copied token is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKEN_PREFIX = "fkjoin1."
KEY_BYTES = 32
NONCE = 12


class SiteCryptoError(Exception):
    """A record or token that does not open (wrong site key, changed bytes, bad token)."""


def new_site_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _aad_record(site_id: str, index_id: str) -> bytes:
    return f"facekiosk-site/{site_id}/record/{index_id}".encode()


def seal_record(site_key: bytes, site_id: str, index_id: str, record: dict[str, Any]) -> bytes:
    """One person's whole state (vault/transfer.IdentityExport) as hub ciphertext; bound to
    the site and the Index ID, so a row moved to another Index ID fails."""
    nonce = secrets.token_bytes(NONCE)
    plain = json.dumps(record, separators=(",", ":")).encode()
    return nonce + AESGCM(site_key).encrypt(nonce, plain, _aad_record(site_id, index_id))


def open_record(site_key: bytes, site_id: str, index_id: str, blob: bytes) -> dict[str, Any]:
    try:
        aad = _aad_record(site_id, index_id)
        plain = AESGCM(site_key).decrypt(blob[:NONCE], blob[NONCE:], aad)
        data: dict[str, Any] = json.loads(plain)
    except (InvalidTag, ValueError) as exc:
        raise SiteCryptoError(f"the hub's record of {index_id} does not open") from exc
    return data


def _hkdf(secret: bytes, info: str) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=info.encode()).derive(secret)


@dataclass(frozen=True)
class JoinToken:
    site_id: str
    role: str
    password: str
    secret: bytes

    @classmethod
    def new(cls, site_id: str) -> JoinToken:
        role = "fk_" + secrets.token_hex(8)
        return cls(site_id, role, secrets.token_urlsafe(24), secrets.token_bytes(KEY_BYTES))

    def encode(self) -> str:
        body = {"site": self.site_id, "role": self.role, "pw": self.password,
                "t": base64.urlsafe_b64encode(self.secret).decode()}  # fmt: skip
        raw = json.dumps(body, separators=(",", ":")).encode()
        return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> JoinToken:
        text = text.strip()
        if not text.startswith(TOKEN_PREFIX):
            raise SiteCryptoError("not a facekiosk join token (it starts with fkjoin1.)")
        try:
            raw = text[len(TOKEN_PREFIX) :]
            body = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            secret = base64.urlsafe_b64decode(body["t"])
            token = cls(str(body["site"]), str(body["role"]), str(body["pw"]), secret)
        except (ValueError, KeyError, TypeError) as exc:
            raise SiteCryptoError("the join token is damaged (copied incompletely?)") from exc
        if len(token.secret) != KEY_BYTES:
            raise SiteCryptoError("the join token is damaged (copied incompletely?)")
        return token

    def hub_hash(self) -> bytes:
        return hashlib.sha256(b"facekiosk-join/hash/" + self.secret).digest()

    def _aad(self) -> bytes:
        return f"facekiosk-join/{self.site_id}/{self.role}".encode()

    def wrap(self, site_key: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE)
        key = _hkdf(self.secret, "facekiosk-join/wrap")
        return nonce + AESGCM(key).encrypt(nonce, site_key, self._aad())

    def unwrap(self, wrapped: bytes) -> bytes:
        key = _hkdf(self.secret, "facekiosk-join/wrap")
        try:
            return AESGCM(key).decrypt(wrapped[:NONCE], wrapped[NONCE:], self._aad())
        except InvalidTag as exc:
            raise SiteCryptoError("the join token does not open the site key") from exc
