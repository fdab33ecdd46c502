"""The audit log is append-only and its hash chain catches edits and deletions."""

from __future__ import annotations

import sqlite3

import pytest

from facekiosk.vault import Vault
from tests.vault.conftest import emb, unit


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
