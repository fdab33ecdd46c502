"""Restore (issue 14 items 3 and 4): purges outlive the restore of an older backup, and old
backups still restore after key rotation, with the current vault, a key export or the
recovery passphrase."""

from __future__ import annotations

import pytest

from facekiosk.vault import Vault, VaultKeyError
from facekiosk.vault.purge_ledger import LedgerError
from facekiosk.vault.restore import RestoreKeys, ResurrectionRisk
from facekiosk.vault.vector_store import VectorStore
from tests.vault.conftest import contains_vector, emb, unit


def _enrolled(data_dir, rng, n=4):
    vectors = [unit(rng) for _ in range(n)]
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(v)]) for v in vectors]
    return ids, vectors


def test_restoring_an_older_backup_does_not_resurrect_purged_people(data_dir, tmp_path, rng):
    ids, vectors = _enrolled(data_dir, rng)
    with Vault.open(data_dir) as vault:
        archive = vault.backup(tmp_path / "old.fkbackup")
        vault.delete(ids[1], reason="asked to be forgotten")  # after the backup
    keys = RestoreKeys(key_files=[data_dir / "vault.kek"])
    target = tmp_path / "restored"
    with pytest.raises(ResurrectionRisk, match=r"come back.*--accept-resurrection"):
        Vault.restore(archive, target, keys)  # no ledger at hand
    assert not target.exists()
    result = Vault.restore(archive, target, keys, ledgers=[data_dir / "vault.purges"])
    assert result.reapply == [ids[1]]
    with Vault.open(target) as vault:
        assert vault.count() == 3 and ids[1] not in {r.index_id for r in vault.list_ids()}
        assert vault.search(emb(vectors[1]), k=1)[0].index_id != ids[1]
        units = list(VectorStore(target, vault.vault_id, vault.keys.ring).scan())
        assert not any(contains_vector(plain, vectors[1]) for _p, _o, plain in units)
        assert any(contains_vector(plain, vectors[0]) for _p, _o, plain in units)  # control
        actions = [e.action for e in vault.audit_entries()]
        assert actions[-2:] == ["purge", "restore"] and vault.verify_audit().ok
    # The ledger travels: the restored vault's own ledger lists the purge, so a restore of
    # the same old archive from the restored vault (--key-from) purges it again.
    again = tmp_path / "again"
    result = Vault.restore(archive, again, RestoreKeys(key_from=target))
    assert result.reapply == [ids[1]]


def test_ledger_in_the_target_dir_and_a_tampered_ledger(data_dir, tmp_path, rng):
    ids, _ = _enrolled(data_dir, rng)
    with Vault.open(data_dir) as vault:
        archive = vault.backup(tmp_path / "old.fkbackup")
        vault.delete(ids[2])
    keys = RestoreKeys(key_files=[data_dir / "vault.kek"])
    target = tmp_path / "restored"
    target.mkdir()
    forged = (data_dir / "vault.purges").read_text().replace(ids[2], ids[3])
    (target / "vault.purges").write_text(forged)
    with pytest.raises(LedgerError, match="fails its check"):
        Vault.restore(archive, target, keys)
    (target / "vault.purges").write_bytes((data_dir / "vault.purges").read_bytes())
    assert Vault.restore(archive, target, keys).reapply == [ids[2]]


@pytest.mark.parametrize("how", ["current-vault", "key-export", "recovery-passphrase"])
@pytest.mark.parametrize("reencrypt", [False, True])
def test_old_backup_restores_after_rotation(data_dir, tmp_path, rng, how, reencrypt):
    ids, vectors = _enrolled(data_dir, rng, n=3)
    with Vault.open(data_dir) as vault:
        archive = vault.backup(tmp_path / "old.fkbackup")
        vault.rotate_key(reencrypt=reencrypt)
        export = tmp_path / "key.json"
        if how == "recovery-passphrase":
            export.write_bytes(vault.export_key("site safe"))
        else:
            export.write_bytes(vault.export_key(device_key=True))
    # The old device key file is gone: the backup's own envelope cannot be opened.
    with pytest.raises(VaultKeyError, match="nothing given opens"):
        Vault.restore(archive, tmp_path / "x", RestoreKeys(key_files=[data_dir / "vault.kek"]))
    if how == "current-vault":
        keys = RestoreKeys(key_from=data_dir)
    elif how == "key-export":
        keys = RestoreKeys(key_files=[export])
    else:
        keys = RestoreKeys(key_files=[export], passphrase="site safe")
    target = tmp_path / "restored"
    Vault.restore(archive, target, keys, accept_resurrection=how != "current-vault")
    passphrase = "site safe" if how == "recovery-passphrase" else None
    with Vault.open(target, passphrase=passphrase) as vault:
        assert [vault.search(emb(v), k=1)[0].index_id for v in vectors] == ids
        assert vault.verify_audit().ok


def test_forgetting_old_keys_makes_old_backups_unrestorable(data_dir, tmp_path, rng):
    _enrolled(data_dir, rng, n=2)
    with Vault.open(data_dir) as vault:
        archive = vault.backup(tmp_path / "old.fkbackup")
        vault.rotate_key(reencrypt=True, keep_for_backups=False)
    with pytest.raises(VaultKeyError, match="forget-old-backups"):
        Vault.restore(archive, tmp_path / "r", RestoreKeys(key_from=data_dir))


def test_dead_disk_after_rotation_through_the_cli(data_dir, tmp_path, rng, capsys):
    """The README's story: an old and a new backup off the device, a purge between them, a
    rotation, a key export in the safe; the disk dies; the old backup is restored."""
    import shutil

    from tests.vault.test_cli import _run

    ids, vectors = _enrolled(data_dir, rng, n=3)
    safe = tmp_path / "safe"
    safe.mkdir()
    assert _run(capsys, data_dir, "admin", "backup", "--out", str(safe / "old.fkbackup"))[0] == 0
    with Vault.open(data_dir) as vault:
        vault.delete(ids[0])
    code, _, err = _run(capsys, data_dir, "admin", "backup", "--out", str(safe / "new.fkbackup"))
    assert code == 0 and "new.fkbackup.purges" in err
    code, _, err = _run(capsys, data_dir, "admin", "key", "rotate", "--reencrypt")
    assert code == 0 and "--key-from" in err
    export = str(safe / "key.json")
    assert _run(capsys, data_dir, "admin", "key", "export", "--out", export)[0] == 0
    shutil.rmtree(data_dir)  # the disk died
    target = tmp_path / "new-disk"
    old = str(safe / "old.fkbackup")
    code, _, err = _run(capsys, target, "admin", "restore", old, "--key-file", export)
    assert code == 1 and "--accept-resurrection" in err
    code, out, err = _run(
        capsys, target, "admin", "restore", old, "--key-file", export,
        "--ledger", str(safe / "new.fkbackup.purges"),
    )  # fmt: skip
    assert code == 0 and "purged again 1 Index ID" in out, err
    with Vault.open(target) as vault:
        assert vault.count() == 2 and vault.search(emb(vectors[0]), k=1)[0].index_id != ids[0]
        assert [vault.search(emb(v), k=1)[0].index_id for v in vectors[1:]] == ids[1:]
    code, out, _ = _run(capsys, target, "admin", "audit", "--verify")
    assert code == 0, out


def test_release_vault_gets_a_ledger_of_its_earlier_purges(tmp_path):
    import json
    import shutil

    from facekiosk.vault.purge_ledger import PurgeLedger
    from tests.vault.test_release_fixture import FIXTURE

    data_dir = tmp_path / "vault"
    shutil.copytree(FIXTURE / "data", data_dir)
    data_dir.chmod(0o700)
    (data_dir / "vault.kek").chmod(0o600)
    deleted = json.loads((FIXTURE / "expected.json").read_text())["deleted"]
    assert not (data_dir / "vault.purges").exists()
    with Vault.open(data_dir) as vault:
        ledger = PurgeLedger.load(data_dir / "vault.purges", vault.keys.ring, vault.vault_id)
    assert ledger.ids() == {deleted}  # seeded from the audit log's purge entry
