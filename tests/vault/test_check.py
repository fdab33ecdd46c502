"""`facekiosk admin check` reads everything it can of a damaged vault and names the damage."""

from __future__ import annotations

import json

import pytest

from facekiosk.cli import main
from facekiosk.vault import Vault, VaultLockedError
from facekiosk.vault.check import check_vault
from facekiosk.vault.vector_store import _JOURNAL_HEAD, _REC_HEAD
from tests.vault.conftest import emb, tree_digest, unit


def _vault(data_dir, rng):
    with Vault.open(data_dir) as vault:
        for _ in range(3):
            vault.enroll([emb(unit(rng))])
        vault.compact()
        for _ in range(4):
            vault.enroll([emb(unit(rng))])  # journal: 4 records


def _record_offsets(path):
    data, pos, out = path.read_bytes(), _JOURNAL_HEAD, []
    while pos < len(data):
        length, _ = _REC_HEAD.unpack_from(data, pos)
        out.append(pos)
        pos += _REC_HEAD.size + length
    return out


def test_healthy_vault_checks_ok_and_nothing_is_written(data_dir, rng, capsys):
    _vault(data_dir, rng)
    before = tree_digest(data_dir)
    assert main(["--data-dir", str(data_dir), "admin", "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["files"]["vectors.journal"]["readable"] == 4
    assert any(n.startswith("vectors.seg.") for n in report["files"])
    assert tree_digest(data_dir) == before


def test_damage_is_named_and_the_rest_is_still_read(data_dir, rng, capsys):
    _vault(data_dir, rng)
    journal = data_dir / "vectors.journal"
    second = _record_offsets(journal)[1]
    data = bytearray(journal.read_bytes())
    data[second + _REC_HEAD.size + 20] ^= 0x55  # inside record 2's ciphertext
    journal.write_bytes(bytes(data))
    (segment,) = data_dir.glob("vectors.seg.*")
    seg = bytearray(segment.read_bytes())
    seg[-3] ^= 0x01
    segment.write_bytes(bytes(seg))
    report = check_vault(data_dir)
    assert not report.ok
    assert report.files["vectors.journal"].readable == 3  # records 1, 3 and 4
    assert [o for o, _ in report.files["vectors.journal"].damaged] == [second]
    assert report.files[segment.name].damaged and report.files["vectors.snap"].readable == 1
    assert main(["--data-dir", str(data_dir), "admin", "check"]) == 1
    out = capsys.readouterr().out
    assert f"offset {second}" in out and "admin restore" in out


def test_check_refuses_while_the_kiosk_holds_the_vault(data_dir, rng):
    _vault(data_dir, rng)
    with Vault.open(data_dir), pytest.raises(VaultLockedError):
        check_vault(data_dir)


def test_bad_magic_is_named_even_when_the_rest_decrypts(data_dir, rng):
    _vault(data_dir, rng)
    (segment,) = data_dir.glob("vectors.seg.*")
    for path in (segment, data_dir / "vectors.journal", data_dir / "vectors.snap"):
        data = bytearray(path.read_bytes())
        data[0] ^= 0x20  # the sealed units after the magic are intact
        path.write_bytes(bytes(data))
    report = check_vault(data_dir)
    assert not report.ok
    for name in (segment.name, "vectors.journal", "vectors.snap"):
        assert any("bad magic" in what for _o, what in report.files[name].damaged), name
    assert report.files["vectors.journal"].readable == 4


def test_sqlite_integrity_check_runs(data_dir, rng):
    """Two index b-trees swapped under SQLite's feet: every row is still readable, but the
    indexes no longer match the table, which only PRAGMA integrity_check notices."""
    import sqlite3

    _vault(data_dir, rng)
    with Vault.open(data_dir) as vault:
        for k in range(5):
            vault.record_event("attendance", None, f"k{k}", "match")
    assert check_vault(data_dir).files["vault.sqlite"].readable == 1
    conn = sqlite3.connect(data_dir / "vault.sqlite")
    pages = dict(
        conn.execute("SELECT name, rootpage FROM sqlite_master WHERE name LIKE 'idx_events_%'")
    )
    (a, pa), (b, pb) = sorted(pages.items())
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET rootpage=? WHERE name=?", (pb, a))
    conn.execute("UPDATE sqlite_master SET rootpage=? WHERE name=?", (pa, b))
    conn.commit()
    conn.close()
    report = check_vault(data_dir)
    assert not report.ok
    assert any("integrity_check" in what for _o, what in report.files["vault.sqlite"].damaged)


def test_a_changed_purge_ledger_is_named(data_dir, rng):
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(unit(rng))]) for _ in range(3)]
        vault.delete(ids[0])
    assert check_vault(data_dir).ok
    ledger = data_dir / "vault.purges"
    ledger.write_text(ledger.read_text().replace(ids[0], ids[1]))  # "purge" someone else
    report = check_vault(data_dir)
    assert not report.ok
    ((_offset, what),) = report.files["vault.purges"].damaged
    assert "line 2 of the purge ledger fails its check" in what
    # The kiosk still opens: the damaged ledger is moved aside and rebuilt from the audit log.
    with Vault.open(data_dir) as vault:
        assert vault.count() == 2
    assert check_vault(data_dir).unaccounted == ["vault.purges.damaged"]
    assert ids[0] in (data_dir / "vault.purges").read_text()
    assert ids[1] not in (data_dir / "vault.purges").read_text()
