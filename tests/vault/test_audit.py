"""The audit log is append-only and its hash chain catches edits and deletions."""

from __future__ import annotations

import sqlite3

import pytest

from facekiosk.vault import Vault
from facekiosk.vault.restore import RestoreKeys
from tests.vault.conftest import emb, unit


def KEK(data_dir):  # the device key file of `data_dir`, as restore takes it
    return RestoreKeys(key_files=[data_dir / "vault.kek"])


def _fill(data_dir, rng):
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(unit(rng))])
        for i in range(4):
            vault.audit("admin_login", "admin", {"attempt": i})
        vault.delete(index_id, reason="test")
        assert vault.verify_audit().ok and vault.verify_audit().checked == 6


def _tamper(data_dir, sql, *args):
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql, args)  # the triggers stop casual edits...
    conn.execute("DROP TRIGGER audit_no_update")  # ...a determined attacker drops them
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_edited_row_is_detected(data_dir, rng):
    _fill(data_dir, rng)
    _tamper(data_dir, "UPDATE audit SET actor=? WHERE seq=3", "mallory")
    with Vault.open(data_dir) as vault:
        result = vault.verify_audit()
        assert (result.ok, result.first_bad_seq, result.checked) == (False, 3, 2)
        assert "altered" in result.reason


def test_deleted_row_is_detected(data_dir, rng):
    _fill(data_dir, rng)
    _tamper(data_dir, "DELETE FROM audit WHERE seq=2")
    with Vault.open(data_dir) as vault:
        result = vault.verify_audit()
        assert (result.ok, result.first_bad_seq) == (False, 3)
        assert "missing" in result.reason


def test_recomputed_plain_hash_does_not_forge(data_dir, rng):
    """Rewriting details and a plain SHA-256 'mac' fails: the chain is keyed."""
    import hashlib

    _fill(data_dir, rng)
    _tamper(
        data_dir,
        "UPDATE audit SET details=?, mac=? WHERE seq=6",
        "{}",
        hashlib.sha256(b"{}").hexdigest(),
    )
    with Vault.open(data_dir) as vault:
        assert vault.verify_audit().first_bad_seq == 6


# --- tail truncation: the sealed head anchor ----------------------------------------------


def test_deleted_newest_rows_are_detected_with_the_range(data_dir, rng):
    _fill(data_dir, rng)
    _tamper(data_dir, "DELETE FROM audit WHERE seq >= 4")
    with Vault.open(data_dir) as vault:
        result = vault.verify_audit()
        assert (result.ok, result.first_bad_seq, result.missing) == (False, 4, (4, 6))
        assert "entries 4-6 are missing" in result.reason


def test_truncation_is_not_erased_by_later_appends(data_dir, rng):
    _fill(data_dir, rng)
    _tamper(data_dir, "DELETE FROM audit WHERE seq = 6")
    with Vault.open(data_dir) as vault:
        vault.audit("admin_login", "admin", {"attempt": 9})  # reuses seq 6, re-anchors
        result = vault.verify_audit()
        assert not result.ok and "entry 6" in result.reason
    with Vault.open(data_dir) as vault:
        assert not vault.verify_audit().ok  # kept in the sealed anchor


def test_deleted_or_forged_anchor_is_detected(data_dir, rng):
    from facekiosk.vault.audit import ANCHOR_FILE

    _fill(data_dir, rng)
    anchor = data_dir / ANCHOR_FILE
    good = anchor.read_bytes()
    anchor.unlink()
    with Vault.open(data_dir) as vault:
        result = vault.verify_audit()
        assert not result.ok and "missing" in result.reason
    anchor.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with Vault.open(data_dir) as vault:
        assert "fails authentication" in vault.verify_audit().reason


def test_anchor_one_behind_after_a_crash_is_accepted(data_dir, rng, monkeypatch):
    """A crash between the SQLite commit and the anchor write is not a false alarm."""
    from facekiosk.vault import audit as audit_log

    _fill(data_dir, rng)
    with Vault.open(data_dir) as vault:
        monkeypatch.setattr(audit_log, "write_anchor", _crash)
        with pytest.raises(_Crash):
            vault.audit("admin_login", "admin", {"attempt": 7})  # committed, not anchored
        monkeypatch.undo()
    with Vault.open(data_dir) as vault:
        result = vault.verify_audit()
        assert result.ok and result.checked == 7 and "one entry behind" in result.note
        vault.audit("admin_login", "admin", {"attempt": 8})
        result = vault.verify_audit()
        assert result.ok and result.checked == 8 and "behind" not in result.note


class _Crash(BaseException):
    pass


def _crash(*args, **kwargs):
    raise _Crash


def test_anchor_survives_restart_rotation_backup_and_restore(data_dir, tmp_path, rng):
    _fill(data_dir, rng)
    with Vault.open(data_dir) as vault:
        assert vault.verify_audit().ok
        vault.rotate_key(reencrypt=True)
        assert vault.verify_audit().ok
        archive = vault.backup(tmp_path)
        assert vault.verify_audit().ok
    with Vault.open(data_dir) as vault:
        assert vault.verify_audit().ok
    target = tmp_path / "restored"
    Vault.restore(archive, target, KEK(data_dir), accept_resurrection=True)
    with Vault.open(target) as vault:
        result = vault.verify_audit()
        assert result.ok and result.checked == 8, result  # + the "restore" entry


def _remove_anchor(data_dir) -> None:
    """What an attacker without the key can do: the anchor file and its SQLite marker go."""
    from facekiosk.vault.audit import ANCHOR_FILE

    (data_dir / ANCHOR_FILE).unlink()
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    conn.execute("DELETE FROM meta WHERE key='audit_anchor'")
    conn.commit()
    conn.close()


def _as_before_anchoring(data_dir) -> None:
    """A vault written before anchoring: no anchor, no marker, key envelope unmarked
    (re-sealed here with the device key, which only the vault's owner has)."""
    from facekiosk.vault.crypto import DEVICE_KEY_FILE, ENVELOPE_FILE
    from facekiosk.vault.keys import unlock

    _remove_anchor(data_dir)
    envelope, ring = unlock(data_dir, None)
    ring.audit_anchored = False
    kek = (data_dir / DEVICE_KEY_FILE).read_bytes()
    (data_dir / ENVELOPE_FILE).write_bytes(envelope.rewrap(ring, kek).to_bytes())


def test_vault_without_an_anchor_is_anchored_on_open(data_dir, rng):
    """Vaults from before anchoring: the first open anchors the current head."""
    _fill(data_dir, rng)
    _as_before_anchoring(data_dir)
    with Vault.open(data_dir) as vault:
        assert vault.verify_audit().ok
    _tamper(data_dir, "DELETE FROM audit WHERE seq = 6")
    with Vault.open(data_dir) as vault:
        assert vault.verify_audit().missing == (6, 6)


def test_rollback_with_anchor_and_marker_deleted_fails_loudly(data_dir, rng, capsys):
    """Issue 14 item 5: newest rows, the anchor file and its SQLite marker deleted together
    must not pass as a vault from before anchoring (the key envelope says it was anchored)."""
    from facekiosk.cli import main

    _fill(data_dir, rng)
    _tamper(data_dir, "DELETE FROM audit WHERE seq >= 5")
    _remove_anchor(data_dir)
    for _ in range(2):  # not healed by a fresh anchor on open, nor by later appends
        with Vault.open(data_dir) as vault:
            result = vault.verify_audit()
            assert not result.ok and "vault.keys" in result.reason, result
            assert "anchor" in result.reason and "deleted" in result.reason
            vault.audit("admin_login", "admin", {"attempt": 10})
    code = main(["--data-dir", str(data_dir), "admin", "audit", "--verify"])
    out = capsys.readouterr().out
    assert code == 1 and "BROKEN" in out and "vault.keys" in out


def test_cli_verify_names_the_missing_range(data_dir, rng, capsys):
    from facekiosk.cli import main

    _fill(data_dir, rng)
    _tamper(data_dir, "DELETE FROM audit WHERE seq >= 5")
    code = main(["--data-dir", str(data_dir), "admin", "audit", "--verify"])
    out = capsys.readouterr().out
    assert code == 1 and "entries 5-6 are missing" in out


def _copy_vault(src, dst) -> None:
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("vault.lock"))


def test_whole_vault_rollback_is_caught_only_by_an_off_device_checkpoint(data_dir, tmp_path, rng):
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
    _copy_vault(data_dir, tmp_path / "old")  # an attacker's copy, taken now
    with Vault.open(data_dir) as vault:
        victim = vault.enroll([emb(unit(rng))])
        vault.delete(victim, reason="forget me")
        token = vault.audit_checkpoint()  # the admin writes this down
        assert vault.verify_audit(token).ok
    for name in ("vault.sqlite", "vault.audit-head"):  # put the old copy back
        (data_dir / name).write_bytes((tmp_path / "old" / name).read_bytes())
    for name in ("vault.sqlite-wal", "vault.sqlite-shm"):
        (data_dir / name).unlink(missing_ok=True)
    with Vault.open(data_dir) as vault:
        assert vault.verify_audit().ok  # consistent on its own: undetectable on the device
        v = vault.verify_audit(token)
        assert not v.ok and "rolled back" in v.reason
        vault.enroll([emb(unit(rng))])  # new entries on the old copy: a fork
        vault.enroll([emb(unit(rng))])
        v = vault.verify_audit(token)
        assert not v.ok and "differs from the checkpoint" in v.reason


def test_checkpoint_of_another_vault_or_garbage_is_refused(data_dir, tmp_path, rng):
    with Vault.open(tmp_path / "other") as other:
        other.enroll([emb(unit(rng))])
        foreign = other.audit_checkpoint()
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
        with pytest.raises(ValueError, match="checkpoint is of vault"):
            vault.verify_audit(foreign)
        with pytest.raises(ValueError, match="not an audit checkpoint"):
            vault.verify_audit("hello")


def test_cli_checkpoint_then_verify_against_it(data_dir, tmp_path, rng, capsys):
    import json

    from facekiosk.cli import main

    _fill(data_dir, rng)
    base = ["--data-dir", str(data_dir), "admin", "audit"]
    assert main([*base, "--checkpoint", "--json"]) == 0
    token = json.loads(capsys.readouterr().out)["checkpoint"]
    assert main([*base, "--verify", "--against", token]) == 0
    assert "audit chain OK" in capsys.readouterr().out
    _tamper(data_dir, "DELETE FROM audit WHERE seq >= 5")
    (data_dir / "vault.audit-head").unlink()  # a careful attacker removes the anchor too
    assert main([*base, "--verify", "--against", token]) == 1
    assert main([*base, "--verify", "--against", "fkaudit-x"]) != 0
