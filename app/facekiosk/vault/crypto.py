"""AES-256-GCM records, data keys wrapped by a key-encryption key, scrypt for secrets.

Every sealed record is `version(1) | key_id(4) | nonce(12) | ciphertext+tag`, with a
fresh random 96-bit nonce and associated data naming the vault and the record, so a
record cannot be moved to another vault, file or position without failing its tag.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from facekiosk.vault.errors import VaultError, VaultKeyError

SEAL_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
SEAL_HEADER = struct.Struct(">BI")  # version, key id
SEAL_OVERHEAD = SEAL_HEADER.size + NONCE_BYTES + 16

ENVELOPE_FILE = "vault.keys"  # wrapped data keys (safe to copy: useless without the KEK)
DEVICE_KEY_FILE = "vault.kek"  # device key-encryption key, 0600
ENVELOPE_FORMAT = 1
# scrypt cost for the admin passphrase (~32 MiB, ~0.1 s) and for PINs (~16 MiB).
PASSPHRASE_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
PIN_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AuthenticationFailed(Exception):
    """A sealed record's tag did not verify (wrong key, wrong place, or changed bytes)."""


@dataclass
class KeyRing:
    """The vault's secrets once unwrapped: data keys by id, the current one, the audit key."""

    keys: dict[int, bytes]
    current: int
    audit_key: bytes
    # Set once the audit chain head has a sealed anchor: sealed with the keys, so deleting
    # the anchor (and its SQLite marker) cannot make the vault pass as a pre-anchor one.
    audit_anchored: bool = False
    # Data keys a rotation with --reencrypt replaced, kept (sealed with the ring) only so
    # that backups made before it can be restored; never used to open the vault's own files.
    retired: dict[int, bytes] = field(default_factory=dict)
    _aead: dict[int, AESGCM] = field(default_factory=dict, repr=False)

    @classmethod
    def generate(cls) -> KeyRing:
        return cls({1: secrets.token_bytes(KEY_BYTES)}, 1, secrets.token_bytes(KEY_BYTES))

    def aead(self, key_id: int) -> AESGCM:
        if key_id not in self._aead:
            self._aead[key_id] = AESGCM(self.keys[key_id])
        return self._aead[key_id]

    def add_key(self) -> int:
        key_id = max(self.keys) + 1
        self.keys[key_id] = secrets.token_bytes(KEY_BYTES)
        self.current = key_id
        return key_id

    def drop_keys_except_current(self, *, keep_for_backups: bool) -> None:
        for key_id in [k for k in self.keys if k != self.current]:
            if keep_for_backups:
                self.retired[key_id] = self.keys[key_id]
            del self.keys[key_id]
            self._aead.pop(key_id, None)
        if not keep_for_backups:
            self.retired.clear()

    def with_retired(self) -> KeyRing:
        """A copy whose data keys include the retired ones (to open and restore a backup)."""
        keys = {**self.retired, **self.keys}
        return KeyRing(keys, self.current, self.audit_key, self.audit_anchored)

    def to_json(self) -> bytes:
        obj: dict[str, Any] = {
            "keys": {str(k): _b64(v) for k, v in self.keys.items()},
            "current": self.current,
            "audit_key": _b64(self.audit_key),
        }
        if self.audit_anchored:  # absent before: older releases read the ring unchanged
            obj["audit_anchored"] = True
        if self.retired:
            obj["retired"] = {str(k): _b64(v) for k, v in self.retired.items()}
        return json.dumps(obj).encode()

    @classmethod
    def from_json(cls, data: bytes) -> KeyRing:
        obj = json.loads(data)
        keys = {int(k): _unb64(v) for k, v in obj["keys"].items()}
        anchored = bool(obj.get("audit_anchored", False))
        retired = {int(k): _unb64(v) for k, v in obj.get("retired", {}).items()}
        return cls(keys, int(obj["current"]), _unb64(obj["audit_key"]), anchored, retired)


def seal(ring: KeyRing, aad: bytes, plaintext: bytes) -> bytes:
    head, body = seal_parts(ring, aad, plaintext)
    return head + body


def seal_parts(ring: KeyRing, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    """`seal` as (header + nonce, ciphertext + tag): a large snapshot section is written in
    two pieces instead of being copied into one more buffer of its size."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = ring.aead(ring.current).encrypt(nonce, plaintext, aad)
    return SEAL_HEADER.pack(SEAL_VERSION, ring.current) + nonce, body


def unseal(ring: KeyRing, aad: bytes, blob: bytes | memoryview) -> bytes:
    if len(blob) < SEAL_OVERHEAD:
        raise AuthenticationFailed("record too short")
    version, key_id = SEAL_HEADER.unpack_from(blob)
    if version != SEAL_VERSION or key_id not in ring.keys:
        raise AuthenticationFailed(f"unknown record version {version} or key id {key_id}")
    start = SEAL_HEADER.size
    view = memoryview(blob)  # no copy of a large section
    nonce = bytes(view[start : start + NONCE_BYTES])
    try:
        return ring.aead(key_id).decrypt(nonce, view[start + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise AuthenticationFailed("authentication tag mismatch") from exc


def sealed_key_id(blob: bytes) -> int:
    return SEAL_HEADER.unpack_from(blob)[1]


# --- key-encryption keys and the envelope -------------------------------------------------

KekMode = Literal["device", "passphrase"]


def derive_passphrase_kek(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    if not passphrase:
        raise VaultKeyError("the passphrase is empty")
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=params["n"],
        r=params["r"],
        p=params["p"],
        dklen=KEY_BYTES,
        maxmem=256 * 1024 * 1024,
    )


def read_device_kek(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise VaultKeyError(f"device key file {path} is missing") from exc
    if len(data) != KEY_BYTES:
        raise VaultKeyError(f"device key file {path} is not a {KEY_BYTES}-byte key")
    return data


@dataclass
class Envelope:
    """The on-disk `vault.keys`: the KeyRing sealed under the KEK, plus how to derive the KEK."""

    vault_id: str
    mode: KekMode
    salt: bytes | None
    params: dict[str, int] | None
    wrapped: bytes
    checked: bool = False  # read from bytes whose checksum matched (see to_bytes)

    def _aad(self) -> bytes:
        return f"facekiosk/vault-keys/{ENVELOPE_FORMAT}/{self.vault_id}/{self.mode}".encode()

    @classmethod
    def wrap(
        cls, vault_id: str, ring: KeyRing, kek: bytes, mode: KekMode, salt: bytes | None
    ) -> Envelope:
        params = dict(PASSPHRASE_SCRYPT) if mode == "passphrase" else None
        env = cls(vault_id, mode, salt, params, b"")
        nonce = secrets.token_bytes(NONCE_BYTES)
        env.wrapped = nonce + AESGCM(kek).encrypt(nonce, ring.to_json(), env._aad())
        return env

    def rewrap(self, ring: KeyRing, kek: bytes) -> Envelope:
        """`ring` sealed under the same KEK (same mode, salt and scrypt parameters)."""
        env = Envelope(self.vault_id, self.mode, self.salt, self.params, b"")
        nonce = secrets.token_bytes(NONCE_BYTES)
        env.wrapped = nonce + AESGCM(kek).encrypt(nonce, ring.to_json(), env._aad())
        return env

    def unwrap(self, kek: bytes) -> KeyRing:
        try:
            plain = AESGCM(kek).decrypt(
                self.wrapped[:NONCE_BYTES], self.wrapped[NONCE_BYTES:], self._aad()
            )
        except InvalidTag as exc:
            what = "passphrase" if self.mode == "passphrase" else "device key file"
            # An envelope with a checksum that matched is intact: the key is wrong. One from
            # an older release has none, so damage cannot be told apart from a wrong key.
            maybe = "" if self.checked else f" (or {ENVELOPE_FILE} is damaged)"
            raise VaultKeyError(
                f"wrong {what}: it does not unlock vault {self.vault_id}{maybe}"
            ) from exc
        return KeyRing.from_json(plain)

    def kek_from(self, *, passphrase: str | None, key_file: Path | None) -> bytes:
        if self.mode == "passphrase":
            if passphrase is None:
                raise VaultKeyError("this vault is locked by an admin passphrase; give it")
            assert self.salt is not None and self.params is not None
            return derive_passphrase_kek(passphrase, self.salt, self.params)
        if key_file is None:
            raise VaultKeyError("this vault is locked by a device key file; give its path")
        return read_device_kek(key_file)

    def to_bytes(self) -> bytes:
        obj: dict[str, Any] = {
            "format": ENVELOPE_FORMAT,
            "vault_id": self.vault_id,
            "mode": self.mode,
            "wrapped": _b64(self.wrapped),
        }
        if self.salt is not None:
            obj["salt"] = _b64(self.salt)
            obj["scrypt"] = self.params
        obj["sha256"] = _envelope_digest(obj)  # tells a damaged file from a wrong key
        return json.dumps(obj, indent=2).encode() + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes, source: str = ENVELOPE_FILE) -> Envelope:
        try:
            obj = json.loads(data)
            digest = obj.pop("sha256", None)
            if digest is not None and digest != _envelope_digest(obj):
                raise VaultKeyError(
                    f"{source}: damaged key file (its checksum does not match): restore it "
                    f"from the site's safe (admin key export) or from a backup"
                )
            if obj["format"] > ENVELOPE_FORMAT:
                raise VaultError(
                    f"{source}: key format {obj['format']} is newer than this facekiosk "
                    f"(knows {ENVELOPE_FORMAT}); upgrade facekiosk"
                )
            salt = _unb64(obj["salt"]) if "salt" in obj else None
            return cls(
                obj["vault_id"],
                obj["mode"],
                salt,
                obj.get("scrypt"),
                _unb64(obj["wrapped"]),
                checked=digest is not None,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise VaultKeyError(
                f"{source}: damaged key file, or not a facekiosk key envelope ({exc}): restore "
                f"it from the site's safe (admin key export) or from a backup"
            ) from exc


# --- secrets that are only ever compared (PINs) --------------------------------------------

PIN_KEYING = "hmac-sha256/v1"  # in the params JSON of a keyed hash; absent: plain scrypt


def derive_subkey(ring: KeyRing, vault_id: str, purpose: str) -> bytes:
    """A key for one purpose, derived from the ring's audit key (which rotation keeps, so
    what is keyed with it outlives `admin key rotate --reencrypt`)."""
    info = f"facekiosk/{purpose}/{vault_id}".encode()
    return hmac.new(ring.audit_key, info, hashlib.sha256).digest()


def hash_secret(secret: str, pepper: bytes | None = None) -> tuple[bytes, bytes, str]:
    """(salt, hash, params JSON) with scrypt; with `pepper`, scrypt of HMAC(pepper, secret):
    a copy of vault.sqlite alone then cannot be brute-forced (a 4-digit PIN fell in 23 s)."""
    salt = secrets.token_bytes(16)
    params: dict[str, Any] = dict(PIN_SCRYPT)
    if pepper is not None:
        params["keyed"] = PIN_KEYING
    digest = hashlib.scrypt(_pin_material(secret, pepper), salt=salt, dklen=32, **PIN_SCRYPT)
    return salt, digest, json.dumps(params)


def verify_secret(
    secret: str, salt: bytes, digest: bytes, params_json: str, pepper: bytes | None = None
) -> bool:
    params = json.loads(params_json)
    keyed = params.pop("keyed", None)
    if keyed is not None and (keyed != PIN_KEYING or pepper is None):
        return False
    material = _pin_material(secret, pepper if keyed else None)
    candidate = hashlib.scrypt(material, salt=salt, dklen=len(digest), **params)
    return hmac.compare_digest(candidate, digest)


def is_keyed(params_json: str) -> bool:
    return "keyed" in json.loads(params_json)


def _pin_material(secret: str, pepper: bytes | None) -> bytes:
    raw = secret.encode("utf-8")
    return raw if pepper is None else hmac.new(pepper, raw, hashlib.sha256).digest()


def _envelope_digest(obj: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
