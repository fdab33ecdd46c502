"""An older vault (schema v1 fixture) is migrated in place with a backup first;
a vault from a newer app is refused and left untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from facekiosk.vault import SchemaVersionError, Vault
from facekiosk.vault.metadata import SCHEMA_VERSION
from tests.vault.conftest import emb, tree_digest, unit

FIXTURE = Path(__file__).parent / "fixtures" / "schema_v1.sql"
OLD_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"


def _install_v1(data_dir: Path) -> None:
    with Vault.open(data_dir) as vault:  # keys and vector files of a real vault
        vault_id = vault.vault_id
    for name in ("vault.sqlite", "vault.sqlite-wal", "vault.sqlite-shm"):
        (data_dir / name).unlink(missing_ok=True)
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    conn.executescript(FIXTURE.read_text().replace("VAULT_ID_PLACEHOLDER", vault_id))
    conn.close()


def test_v1_vault_is_migrated_with_a_backup(data_dir, rng):
    _install_v1(data_dir)
    with Vault.open(data_dir) as vault:
        assert [e.kind for e in vault.events()] == ["check_in", "check_out", "auth"]
        old = vault.get(OLD_ID)
        assert (old.consent_version, old.n_images) == ("consent-1", 3)
        assert old.status == "no_template"  # v1 row whose vector is not in this vault
        vault.set_counter("kiosk_fail:k1", 3)  # v2 table
        assert vault.get_counter("kiosk_fail:k1") == 3
        new_id = vault.enroll([emb(unit(rng))])
        assert vault.get(new_id).status == "active"
        (backup,) = (data_dir / "backups").glob("vault.v1.*.sqlite")
        conn = sqlite3.connect(backup)
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
        held = conn.execute("SELECT COUNT(*) FROM identities WHERE index_id=?", (OLD_ID,))
        assert held.fetchone()[0] == 1
        conn.close()
        vault.delete(OLD_ID)
        assert vault.verify_audit().ok
    # The pre-migration copy held OLD_ID: the purge wiped it (issue 14 item 3).
    assert list((data_dir / "backups").iterdir()) == []
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_newer_schema_is_refused_and_untouched(data_dir, rng):
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    conn.execute("INSERT INTO schema_version VALUES (?, '2030-01-01')", (SCHEMA_VERSION + 7,))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = tree_digest(data_dir)
    with pytest.raises(SchemaVersionError, match=r"newer facekiosk.*downgrades are refused"):
        Vault.open(data_dir)
    after = tree_digest(data_dir)
    for name in ("vault.sqlite-wal", "vault.sqlite-shm"):  # SQLite's own empty side files
        after.pop(name, None)
        before.pop(name, None)
    assert after == before
