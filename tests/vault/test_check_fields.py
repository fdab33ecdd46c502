"""Issue 14: `admin check` passed a damaged label ciphertext that then made the vault
unusable. Every sealed field of vault.sqlite must be opened with the key and each one that
does not open named (table, Index ID, field), with what is still readable."""

from __future__ import annotations

import json
import sqlite3

import pytest

from facekiosk.cli import main
from facekiosk.vault import Vault, VaultError
from tests.vault.conftest import emb, tree_digest, unit


def _vault(data_dir, rng) -> list[str]:
    with Vault.open(data_dir) as vault:
        return [
            vault.enroll([emb(unit(rng))], label=f"person {k}", payload=b"badge %d" % k)
            for k in range(4)
        ]


def _flip(data_dir, index_id: str, column: str, at: int = -5) -> None:
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    (blob,) = conn.execute(
        f"SELECT {column} FROM identities WHERE index_id=?", (index_id,)
    ).fetchone()
    data = bytearray(blob)
    data[at] ^= 0x01
    conn.execute(f"UPDATE identities SET {column}=? WHERE index_id=?", (bytes(data), index_id))
    conn.commit()
    conn.close()


def _check(data_dir, capsys) -> tuple[int, dict]:
    code = main(["--data-dir", str(data_dir), "admin", "check", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_intact_sealed_fields_pass_and_are_counted(data_dir, rng, capsys):
    _vault(data_dir, rng)
    before = tree_digest(data_dir)
    code, report = _check(data_dir, capsys)
    assert code == 0 and report["ok"]
    assert report["files"]["vault.sqlite identities.label"] == {"readable": 4, "damaged": []}
    assert report["files"]["vault.sqlite identities.payload"] == {"readable": 4, "damaged": []}
    assert tree_digest(data_dir) == before


def test_a_damaged_label_is_named_and_the_rest_counted(data_dir, rng, capsys):
    ids = _vault(data_dir, rng)
    _flip(data_dir, ids[2], "label_ct")
    _flip(data_dir, ids[0], "payload_ct", at=3)  # in the key id of the seal header
    # what the check must foresee: the vault is unusable
    with pytest.raises(VaultError), Vault.open(data_dir) as vault:
        vault.list_ids()
    before = tree_digest(data_dir)
    code, report = _check(data_dir, capsys)
    assert code == 1 and not report["ok"]
    labels = report["files"]["vault.sqlite identities.label"]
    assert labels["readable"] == 3
    ((damage,),) = [labels["damaged"]]
    assert f"label of Index ID {ids[2]} does not decrypt" in damage["detail"]
    assert "identities.label_ct" in damage["detail"]
    payloads = report["files"]["vault.sqlite identities.payload"]
    assert payloads["readable"] == 3
    assert [ids[0] in d["detail"] for d in payloads["damaged"]] == [True]
    assert report["files"]["vault.sqlite"]["damaged"] == []  # SQLite itself is intact
    assert tree_digest(data_dir) == before  # the check changed nothing
    assert main(["--data-dir", str(data_dir), "admin", "check"]) == 1
    out = capsys.readouterr().out
    assert "vault.sqlite identities.label: 3 readable, 1 DAMAGED" in out


def test_a_label_moved_to_another_row_is_named(data_dir, rng, capsys):
    """Each field is bound to its Index ID: an intact ciphertext copied over another one
    does not open either."""
    ids = _vault(data_dir, rng)
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    conn.execute(
        "UPDATE identities SET label_ct=(SELECT label_ct FROM identities WHERE index_id=?)"
        " WHERE index_id=?",
        (ids[0], ids[1]),
    )
    conn.commit()
    conn.close()
    code, report = _check(data_dir, capsys)
    assert code == 1
    (damage,) = report["files"]["vault.sqlite identities.label"]["damaged"]
    assert ids[1] in damage["detail"]
