"""Delete = purge: after delete no file (decrypted or not) holds the vector; nothing is
ever on disk in plaintext."""

from __future__ import annotations

import numpy as np

from facekiosk.vault import Vault, VaultCorruptError
from facekiosk.vault.vector_store import VectorStore
from tests.vault.conftest import SPACE, contains_vector, emb, unit


def _files(data_dir):
    return [p for p in data_dir.rglob("*") if p.is_file()]


def _decrypted_units(vault: Vault) -> list[bytes]:
    store = VectorStore(vault.data_dir, vault.vault_id, vault.keys.ring)
    units = []
    for path, offset, plain in store.scan():
        assert not isinstance(plain, VaultCorruptError), (path, offset, plain)
        units.append(plain)
    return units


def test_scanner_finds_a_planted_vector(rng):
    v = unit(rng, 128)
    for phase in range(4):
        blob = b"\x01" * (13 + phase) + v.tobytes() + b"\x02" * 7
        assert contains_vector(blob, v)
        assert not contains_vector(blob, unit(rng, 128))


def test_no_plaintext_vector_and_delete_leaves_no_trace(data_dir, rng):
    vectors = [unit(rng, 128) for _ in range(6)]
    with Vault.open(data_dir, compact_every=4) as vault:  # one compaction on the way
        ids = [vault.enroll([emb(v)], label=f"Person Name {i:03d}") for i, v in enumerate(vectors)]
        vault.set_pin(ids[0], "24681357")
        vault.record_event("check_in", ids[0], "k1", "granted", "ok")
        for path in _files(data_dir):
            blob = path.read_bytes()
            for v in vectors:
                assert not contains_vector(blob, v), path  # never plaintext on disk
            assert b"Person Name" not in blob and b"24681357" not in blob, path
        # Positive control: decrypting the vault's files does find every live template.
        units = _decrypted_units(vault)
        assert all(any(contains_vector(u, v) for u in units) for v in vectors)

        receipt = vault.delete([ids[0], ids[3]], reason="request", actor="test")
        assert receipt.index_ids == [ids[0], ids[3]] and receipt.vectors_removed == 2
        assert receipt.events_anonymised == 1

        units = _decrypted_units(vault)
        for gone in (vectors[0], vectors[3]):
            assert not any(contains_vector(u, gone) for u in units)
            for path in _files(data_dir):
                assert not contains_vector(path.read_bytes(), gone), path
        for kept in (vectors[1], vectors[2], vectors[4], vectors[5]):
            assert any(contains_vector(u, kept) for u in units)
        assert (data_dir / "vault.sqlite-wal").stat().st_size == 0  # checkpointed + truncated
        assert vault.search(emb(vectors[0]), k=1)[0].index_id != ids[0]
        assert not vault.has_pin(ids[0])
        assert vault.events()[0].index_id is None
        last = vault.audit_entries()[-1]
        assert last.action == "purge" and last.details["index_ids"] == [ids[0], ids[3]]
    with Vault.open(data_dir) as vault:
        assert vault.count() == 4
        assert {r.index_id for r in vault.list_ids()} == {ids[1], ids[2], ids[4], ids[5]}


def test_replace_template_purges_the_old_one(data_dir, rng, search):
    old, new = unit(rng, 64), unit(rng, 64)
    with Vault.open(data_dir, search=search) as vault:
        index_id = vault.enroll([emb(old)])
        vault.enroll_many(np.stack([unit(rng, 64) for _ in range(40)]), "/".join(SPACE))
        vault.replace_template(index_id, [emb(new)])
        assert vault.search(emb(new), k=1)[0].index_id == index_id
        units = _decrypted_units(vault)
        assert not any(contains_vector(u, old) for u in units)
        assert any(contains_vector(u, new) for u in units)


def test_interrupted_delete_is_finished_on_open(data_dir, rng):
    """SQLite rows gone but the process died before the vectors were purged."""
    vectors = [unit(rng) for _ in range(3)]
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(v)]) for v in vectors]
        with vault.db.tx() as db:
            db.execute("DELETE FROM identities WHERE index_id=?", (ids[1],))
    with Vault.open(data_dir) as vault:
        assert vault.search(emb(vectors[1]), k=1)[0].index_id != ids[1]
        assert not any(contains_vector(u, vectors[1]) for u in _decrypted_units(vault))
