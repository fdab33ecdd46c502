"""Person PINs are hashed keyed with a secret held under the vault key: a copy of
vault.sqlite alone cannot be brute-forced; older releases' unkeyed hashes still verify and are
re-hashed keyed on their next successful check."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

from facekiosk.vault import Vault
from facekiosk.vault.crypto import verify_secret
from tests.vault.conftest import emb, unit
from tests.vault.test_release_fixture import FIXTURE


def _stored(data_dir: Path, index_id: str) -> tuple[bytes, bytes, str]:
    """What an attacker with only a copy of vault.sqlite has."""
    copy = data_dir.parent / "stolen.sqlite"
    for suffix in ("", "-wal"):  # an open vault's last commits may still be in the WAL
        if (data_dir / f"vault.sqlite{suffix}").exists():
            shutil.copy(data_dir / f"vault.sqlite{suffix}", f"{copy}{suffix}")
    conn = sqlite3.connect(copy)
    try:
        row = conn.execute("SELECT salt, hash, params FROM pins WHERE index_id=?", (index_id,))
        salt, digest, params = row.fetchone()
    finally:
        conn.close()
    return salt, digest, params


def _offline_guess(pin: str, salt: bytes, digest: bytes, params_json: str) -> bool:
    """The attack that took 23 s: scrypt every candidate with the stored salt and cost."""
    params = {k: v for k, v in json.loads(params_json).items() if k in ("n", "r", "p")}
    got = hashlib.scrypt(pin.encode(), salt=salt, dklen=len(digest), **params)
    return got == digest


def test_sqlite_file_alone_does_not_verify_any_pin(data_dir, rng):
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(unit(rng))])
        vault.set_pin(index_id, "4812")
        assert vault.verify_pin(index_id, "4812") and not vault.verify_pin(index_id, "4813")
    salt, digest, params = _stored(data_dir, index_id)
    # Even the right PIN does not reproduce the stored hash without the vault key, so no
    # candidate of the 10,000 can (checking the right one stands in for the whole search).
    for candidate in ("4812", "0000", "1234", "4813"):
        assert not _offline_guess(candidate, salt, digest, params)
        assert not verify_secret(candidate, salt, digest, params)  # no pepper: refused
    with Vault.open(data_dir) as vault:  # with the key it still verifies after a reopen
        assert vault.verify_pin(index_id, "4812")


def test_release_fixture_pin_verifies_and_is_upgraded(tmp_path):
    data_dir = tmp_path / "vault"
    shutil.copytree(FIXTURE / "data", data_dir)
    data_dir.chmod(0o700)
    (data_dir / "vault.kek").chmod(0o600)
    index_id, pin = json.loads((FIXTURE / "expected.json").read_text())["pin"]
    salt, digest, params = _stored(data_dir, index_id)
    assert _offline_guess(pin, salt, digest, params)  # the old format: unkeyed
    with Vault.open(data_dir) as vault:
        assert not vault.verify_pin(index_id, "0000")
        assert _stored(data_dir, index_id)[1] == digest  # a wrong PIN upgrades nothing
        assert vault.verify_pin(index_id, pin)
        upgraded = _stored(data_dir, index_id)
        assert upgraded[1] != digest and "keyed" in json.loads(upgraded[2])
        assert not _offline_guess(pin, *upgraded)
        assert vault.verify_pin(index_id, pin) and not vault.verify_pin(index_id, "4813")
    with Vault.open(data_dir) as vault:
        assert vault.verify_pin(index_id, pin)
