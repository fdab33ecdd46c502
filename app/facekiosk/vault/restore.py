"""Restore a backup into an empty data dir: find a key that opens it, and re-apply the purges
made after it.

Keys (issue 14 item 4): a backup carries the key envelope of the day it was made, locked by
that day's device key file or passphrase; after `admin key rotate` neither exists any more.
The data keys are the same (or, after `--reencrypt`, kept as retired keys in the ring), so
any envelope of the same vault opens it: the current vault's (`key_from`), a key export
(device key included) or a recovery envelope (`key_files`, with its passphrase). The
restored vault is locked by whatever opened the backup.

Purges (issue 14 item 3): the backup holds everyone purged after it. Its own ledger is
merged with the ledgers at hand (the target dir's `vault.purges`, `key_from`'s, `ledgers`);
the first open then purges every listed Index ID again. With no ledger at hand the restore is
refused unless the admin accepts that such people come back (`accept_resurrection`).
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from facekiosk.fsutil import atomic_write
from facekiosk.vault.backup import LEDGER_MEMBER, VAULT_FILES, open_archive, read_members
from facekiosk.vault.crypto import (
    DEVICE_KEY_FILE,
    ENVELOPE_FILE,
    KEY_BYTES,
    Envelope,
    KeyRing,
    derive_passphrase_kek,
    read_device_kek,
)
from facekiosk.vault.errors import VaultError, VaultKeyError
from facekiosk.vault.key_room import EXPORT_KIND
from facekiosk.vault.metadata import METADATA_FILE
from facekiosk.vault.purge_ledger import LEDGER_FILE, PurgeLedger


class ResurrectionRisk(VaultError):
    """No purge ledger at hand: people purged after the backup would come back."""


@dataclass
class RestoreKeys:
    """What the admin gives to open a backup (any one that works is enough)."""

    passphrase: str | None = None
    key_files: Sequence[Path] = ()  # device key files, key exports, recovery envelopes
    key_from: Path | None = None  # a data dir of the same vault: its keys and its ledger


@dataclass
class RestoreResult:
    vault_id: str
    mode: str  # how the restored vault is locked: "device" or "passphrase"
    reapply: list[str] = field(default_factory=list)  # Index IDs the ledgers purge again
    ledgers: list[str] = field(default_factory=list)  # where the ledgers came from


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VaultKeyError(f"{path}: {exc.strerror}") from exc


def key_candidates(
    archive_envelope: Envelope, keys: RestoreKeys
) -> tuple[list[tuple[Envelope, str]], list[bytes]]:
    """(envelopes with where they came from, device keys) to try on a backup."""
    envelopes = [(archive_envelope, "the backup's own key envelope")]
    keks: list[bytes] = []
    for path in keys.key_files:
        data = _read(path)
        if len(data) == KEY_BYTES:
            keks.append(data)
            continue
        try:
            obj = json.loads(data)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            raise VaultKeyError(
                f"{path}: neither a device key file ({KEY_BYTES} bytes) nor a key export "
                f"(admin key export) nor a key envelope ({ENVELOPE_FILE})"
            )
        if obj.get("kind") == EXPORT_KIND:
            envelope = json.dumps(obj.get("envelope")).encode()
            envelopes.append((Envelope.from_bytes(envelope, str(path)), str(path)))
            try:
                keks.append(base64.b64decode(str(obj.get("device_key", "")), validate=True))
            except ValueError as exc:
                raise VaultKeyError(f"{path}: damaged key export ({exc})") from exc
        else:
            envelopes.append((Envelope.from_bytes(data, str(path)), str(path)))
    if keys.key_from is not None:
        env_path = keys.key_from / ENVELOPE_FILE
        envelopes.append((Envelope.from_bytes(_read(env_path), str(env_path)), str(env_path)))
        if (keys.key_from / DEVICE_KEY_FILE).exists():
            keks.append(read_device_kek(keys.key_from / DEVICE_KEY_FILE))
    return envelopes, keks


def needs_passphrase(archive: Path, keys: RestoreKeys) -> bool:
    """True when only a passphrase envelope of this vault can open the backup."""
    archive_envelope = open_archive(archive)[0]
    envelopes, keks = key_candidates(archive_envelope, keys)
    same = [env for env, _src in envelopes if env.vault_id == archive_envelope.vault_id]
    if keks and any(env.mode == "device" for env in same):
        return False
    return any(env.mode == "passphrase" for env in same)


def unlock_backup(
    archive: Path, keys: RestoreKeys
) -> tuple[Envelope, bytes, KeyRing, dict[str, bytes]]:
    """(the envelope that opened it, its KEK, the ring with retired keys, the files)."""
    archive_envelope, body, offset = open_archive(archive)
    envelopes, keks = key_candidates(archive_envelope, keys)
    vault_id = archive_envelope.vault_id
    problems: list[str] = []
    for envelope, source in envelopes:
        if envelope.vault_id != vault_id:
            problems.append(f"{source} belongs to vault {envelope.vault_id}, not {vault_id}")
            continue
        if envelope.mode == "device":
            tries = keks
        elif keys.passphrase is None:
            problems.append(f"{source} needs its passphrase")
            continue
        else:
            assert envelope.salt is not None and envelope.params is not None
            tries = [derive_passphrase_kek(keys.passphrase, envelope.salt, envelope.params)]
        for kek in tries:
            try:
                ring = envelope.unwrap(kek).with_retired()
            except VaultKeyError:
                continue
            files = read_members(archive, ring, vault_id, body, offset)
            if files is None:
                problems.append(
                    f"{source} opens this vault's keys, but not the data key of this backup "
                    f"(dropped by `admin key rotate --reencrypt --forget-old-backups`)"
                )
                continue
            return envelope, kek, ring, files
        if tries:
            problems.append(f"the key or passphrase given does not open {source}")
        elif envelope.mode == "device":
            problems.append(f"{source} needs its device key file")
    raise VaultKeyError(
        f"{archive}: nothing given opens this backup ({'; '.join(problems)}). Give the "
        f"device key file of the day (--key-file), a key export made after the last rotation "
        f"(--key-file), a recovery envelope with its passphrase, or the current vault "
        f"(--key-from DATA_DIR)"
    )


def _ledgers(
    data_dir: Path, keys: RestoreKeys, ledgers: Sequence[Path], ring: KeyRing, vault_id: str
) -> tuple[list[PurgeLedger], list[str]]:
    paths = [data_dir / LEDGER_FILE]
    if keys.key_from is not None:
        paths.append(keys.key_from / LEDGER_FILE)
    found, sources = [], []
    for path in paths:
        if path.exists():
            found.append(PurgeLedger.parse(_read(path), str(path), ring, vault_id))
            sources.append(str(path))
    for path in ledgers:
        path = path / LEDGER_FILE if path.is_dir() else path
        found.append(PurgeLedger.parse(_read(path), str(path), ring, vault_id))
        sources.append(str(path))
    return found, sources


def _held_ids(metadata: bytes) -> set[str]:
    image = bytearray(metadata)
    image[18:20] = b"\x01\x01"  # the header says WAL; an in-memory copy cannot be WAL
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(bytes(image))
        return {row[0] for row in conn.execute("SELECT index_id FROM identities")}
    finally:
        conn.close()


def restore_backup(
    archive: Path, data_dir: Path, keys: RestoreKeys, *, ledgers: Sequence[Path] = (),
    accept_resurrection: bool = False,
) -> RestoreResult:  # fmt: skip
    """Check everything, then write the files; the caller opens the vault once (which
    purges the ledger's Index IDs). Nothing is written when anything is missing or wrong."""
    envelope, kek, ring, files = unlock_backup(archive, keys)
    vault_id = envelope.vault_id
    if METADATA_FILE not in files:
        raise VaultError(f"{archive}: backup has no metadata")
    present = [name for name in VAULT_FILES if (data_dir / name).exists()]
    if present:
        raise VaultError(
            f"{data_dir} already holds a vault ({', '.join(present)}): "
            "restore into an empty data dir"
        )
    outside, sources = _ledgers(data_dir, keys, ledgers, ring, vault_id)
    if not outside and not accept_resurrection:
        raise ResurrectionRisk(
            f"no purge ledger at hand: people purged after {archive.name} was made would "
            f"come back with it (their templates are in it). Give the newest ledger: "
            f"--ledger FILE ({LEDGER_FILE} of the old data dir, or the .purges file "
            f"`admin backup` wrote beside the newest archive) or --key-from OLD_DATA_DIR. "
            f"Only if no purge was made after this backup, or no ledger survives, confirm "
            f"with --accept-resurrection"
        )
    own = files.pop(LEDGER_MEMBER, None)
    base = (
        PurgeLedger.parse(own, f"{archive}:{LEDGER_FILE}", ring, vault_id)
        if own is not None
        else PurgeLedger.empty(ring, vault_id)
    )
    merged = base.merged(outside)
    result = RestoreResult(vault_id, envelope.mode, ledgers=sources)
    result.reapply = sorted(_held_ids(files[METADATA_FILE]) & merged.ids())
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, content in files.items():
        atomic_write(data_dir / name, content)
    atomic_write(data_dir / LEDGER_FILE, merged.to_bytes())
    if envelope.mode == "device":
        atomic_write(data_dir / DEVICE_KEY_FILE, kek)
    restored = envelope.rewrap(ring, kek)  # every key the restored files may need
    atomic_write(data_dir / ENVELOPE_FILE, restored.to_bytes())  # last: marks it complete
    return result


def restore(
    archive: Path, data_dir: Path, keys: RestoreKeys, *, ledgers: Sequence[Path] = (),
    accept_resurrection: bool = False,
) -> RestoreResult:  # fmt: skip
    """`restore_backup`, then one open of the vault: it purges the ledger's Index IDs again
    and the restore is recorded in the audit log."""
    from facekiosk.vault.vault import Vault  # the facade imports this module

    archive, data_dir = Path(archive), Path(data_dir)
    result = restore_backup(
        archive, data_dir, keys, ledgers=ledgers, accept_resurrection=accept_resurrection
    )
    passphrase = keys.passphrase if result.mode == "passphrase" else None
    with Vault.open(data_dir, passphrase=passphrase, create=False) as vault:
        details = {
            "archive": archive.name,
            "purges_reapplied": len(result.reapply),
            "ledgers": len(result.ledgers),
        }
        vault.audit("restore", "admin", details)
    return result
