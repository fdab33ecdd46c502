"""vault/transfer.py: one identity out of one vault and into another under the same Index
ID (site sync), idempotent, never resurrecting a purged Index ID; PINs verify across vaults
whose PIN peppers differ; secrets sealed under one vault's ring open only there."""

from __future__ import annotations

import numpy as np
import pytest

from facekiosk.engine.types import Embedding
from facekiosk.vault import Vault, VaultError
from facekiosk.vault.transfer import IdentityExport


def _emb(seed: int) -> Embedding:
    v = np.random.default_rng(seed).standard_normal(128).astype(np.float32)
    return Embedding(v, "bundled", "transfer-test")


@pytest.fixture
def two(tmp_path):
    a, b = Vault.open(tmp_path / "a"), Vault.open(tmp_path / "b")
    yield a, b
    a.close()
    b.close()


def test_an_identity_moves_with_its_index_id_fields_and_pin(two):
    a, b = two
    index_id = a.enroll([_emb(1), _emb(2)], label="Ada", payload=b"\x00badge", consent_version="v3")
    a.set_pin(index_id, "4711")
    record = IdentityExport.from_dict(a.transfer.export(index_id).to_dict())  # as it travels
    assert b.transfer.import_identity(record) == "created"
    got = b.get(index_id)
    assert (got.label, got.consent_version, got.n_images) == ("Ada", "v3", 2)
    assert b.get_payload(index_id) == b"\x00badge"
    assert b.search(_emb(1))[0].index_id == index_id
    assert b.verify_pin(index_id, "4711") and not b.verify_pin(index_id, "0000")
    assert b.verify_pin(index_id, "4711")  # re-keyed with b's own pepper: still verifies
    entries = [e for e in b.audit_entries(0) if e.details.get("index_id") == index_id]
    assert [(e.action, e.actor) for e in entries] == [("enroll", "site")]


def test_importing_twice_changes_nothing_and_an_update_replaces(two):
    a, b = two
    index_id = a.enroll([_emb(3)], label="Bo")
    assert b.transfer.import_identity(a.transfer.export(index_id)) == "created"
    seq = b.audit_entries(0)[-1].seq
    assert b.transfer.import_identity(a.transfer.export(index_id)) == "same"
    assert b.audit_entries(0)[-1].seq == seq  # nothing written, nothing to push back
    a.replace_template(index_id, [_emb(4)])
    a.update(index_id, label="Bob")
    assert b.transfer.import_identity(a.transfer.export(index_id)) == "updated"
    assert b.get(index_id).label == "Bob"
    assert b.search(_emb(4))[0].similarity > 0.999
    assert b.count() == 1 and b.spaces() == {"bundled/transfer-test": 1}


def test_a_purged_index_id_is_never_brought_back(two):
    a, b = two
    index_id = a.enroll([_emb(5)])
    record = a.transfer.export(index_id)
    b.transfer.import_identity(record)
    b.delete(index_id, actor="site")
    assert b.transfer.import_identity(record) == "purged"
    assert b.count() == 0 and not b.search(_emb(5))


def test_secrets_open_only_in_the_vault_that_sealed_them(two):
    a, b = two
    blob = a.transfer.seal_secret("site", b"key material")
    assert a.transfer.open_secret("site", blob) == b"key material"
    with pytest.raises(VaultError):
        b.transfer.open_secret("site", blob)
    with pytest.raises(VaultError):
        a.transfer.open_secret("other", blob)
