"""Keys: wrong key or passphrase changes nothing; rotation; export; backup/restore."""

from __future__ import annotations

import base64
import json
import secrets

import pytest

from facekiosk.vault import Vault, VaultError, VaultKeyError
from facekiosk.vault.restore import RestoreKeys
from tests.vault.conftest import emb, tree_digest, unit


def KEK(data_dir):  # the device key file of `data_dir`, as restore takes it
    return RestoreKeys(key_files=[data_dir / "vault.kek"])


def test_wrong_device_key_file_is_clear_and_changes_nothing(data_dir, rng):
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))], label="x")
    key = data_dir / "vault.kek"
    assert key.stat().st_mode & 0o777 == 0o600
    good = key.read_bytes()
    key.write_bytes(secrets.token_bytes(32))
    before = tree_digest(data_dir)
    with pytest.raises(VaultKeyError, match="wrong device key file") as wrong:
        Vault.open(data_dir)
    assert "damaged" not in str(wrong.value)  # the envelope's checksum matched
    assert tree_digest(data_dir) == before
    key.unlink()
    with pytest.raises(VaultKeyError, match="missing"):
        Vault.open(data_dir)
    key.write_bytes(good)
    with Vault.open(data_dir) as vault:
        assert vault.count() == 1


def test_damaged_key_file_is_not_called_a_wrong_key(data_dir, rng):
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
    envelope = data_dir / "vault.keys"
    good = envelope.read_bytes()
    text = good.decode()
    at = text.index('"wrapped": "') + 20  # one base64 character of the sealed key ring
    swapped = "B" if text[at] != "B" else "C"
    envelope.write_bytes((text[:at] + swapped + text[at + 1 :]).encode())
    before = tree_digest(data_dir)
    with pytest.raises(VaultKeyError, match="damaged key file") as damaged:
        Vault.open(data_dir)
    assert "wrong" not in str(damaged.value) and "vault.keys" in str(damaged.value)
    assert tree_digest(data_dir) == before
    envelope.write_bytes(good[:40])  # cut short: not even JSON
    with pytest.raises(VaultKeyError, match="damaged key file"):
        Vault.open(data_dir)
    envelope.write_bytes(good)
    with Vault.open(data_dir) as vault:
        assert vault.count() == 1


def test_wrong_passphrase_is_clear_and_changes_nothing(data_dir, rng):
    with Vault.open(data_dir, passphrase="correct horse") as vault:
        vault.enroll([emb(unit(rng))])
    assert not (data_dir / "vault.kek").exists()
    before = tree_digest(data_dir)
    with pytest.raises(VaultKeyError, match="wrong passphrase"):
        Vault.open(data_dir, passphrase="wrong horse")
    with pytest.raises(VaultKeyError, match="passphrase"):
        Vault.open(data_dir)
    assert tree_digest(data_dir) == before
    with Vault.open(data_dir, passphrase="correct horse") as vault:
        assert vault.count() == 1


def test_rotation_rewraps_and_reencrypts(data_dir, rng):
    v = unit(rng)
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(v)], label="alice", payload=b"p")
        old_kek = (data_dir / "vault.kek").read_bytes()
        vault.rotate_key()
        assert (data_dir / "vault.kek").read_bytes() != old_kek
        old_keys = set(vault.keys.ring.keys)
        vault.rotate_key(passphrase="new pass", reencrypt=True)
        assert not set(vault.keys.ring.keys) & old_keys  # old data key forgotten
    assert not (data_dir / "vault.kek").exists()
    with Vault.open(data_dir, passphrase="new pass") as vault:
        assert vault.search(emb(v), k=1)[0].index_id == index_id
        assert vault.get(index_id).label == "alice" and vault.get_payload(index_id) == b"p"
        assert [e.action for e in vault.audit_entries()][-2:] == ["key_rotate", "key_rotate"]
        assert vault.verify_audit().ok


def test_exported_recovery_key_unlocks_the_data_key(data_dir, rng):
    from facekiosk.vault.crypto import Envelope, derive_passphrase_kek

    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
        stored = Envelope.from_bytes(vault.export_key())
        assert stored.mode == "device"
        export = json.loads(vault.export_key(device_key=True))  # the CLI's: + the device key
        assert Envelope.from_bytes(json.dumps(export["envelope"]).encode()) == stored
        assert base64.b64decode(export["device_key"]) == (data_dir / "vault.kek").read_bytes()
        recovery = Envelope.from_bytes(vault.export_key("site safe"))
        assert recovery.vault_id == vault.vault_id
        assert recovery.salt is not None and recovery.params is not None
        ring = recovery.unwrap(derive_passphrase_kek("site safe", recovery.salt, recovery.params))
        assert ring.keys == vault.keys.ring.keys
        with pytest.raises(VaultKeyError):
            recovery.unwrap(derive_passphrase_kek("guess", recovery.salt, recovery.params))


def test_backup_restore_and_wrong_key_writes_nothing(data_dir, tmp_path, rng):
    vectors = [unit(rng) for _ in range(4)]
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(v)], label=f"p{i}") for i, v in enumerate(vectors)]
        vault.record_event("check_in", ids[0], "k1", "granted", "ok")
        archive = vault.backup(tmp_path)
    target = tmp_path / "restored"
    wrong = tmp_path / "wrong.kek"
    wrong.write_bytes(secrets.token_bytes(32))
    with pytest.raises(VaultKeyError):
        Vault.restore(archive, target, RestoreKeys(key_files=[wrong]), accept_resurrection=True)
    assert not target.exists()  # refused before anything was written

    damaged = bytearray(archive.read_bytes())
    damaged[-5] ^= 1
    bad = tmp_path / "bad.fkbackup"
    bad.write_bytes(bytes(damaged))
    with pytest.raises(VaultError, match="offset"):
        Vault.restore(bad, target, KEK(data_dir), accept_resurrection=True)
    assert not target.exists()

    Vault.restore(archive, target, KEK(data_dir), accept_resurrection=True)
    with pytest.raises(VaultError, match="empty data dir"):
        Vault.restore(archive, target, KEK(data_dir), accept_resurrection=True)
    with Vault.open(target) as vault:
        for i, v in enumerate(vectors):
            assert vault.search(emb(v), k=1)[0].index_id == ids[i]
            assert vault.get(ids[i]).label == f"p{i}"
        assert len(vault.events()) == 1 and vault.verify_audit().ok
