"""A vault written by the previous release (fixtures/release_vault, made by
make_release_vault.py at commit 440afa5) opens unchanged with this code."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from facekiosk.vault import Vault
from facekiosk.vault.keys import unlock
from tests.vault.conftest import emb

FIXTURE = Path(__file__).parent / "fixtures" / "release_vault"


@pytest.fixture
def release_vault(tmp_path: Path) -> Path:
    data_dir = tmp_path / "vault"
    shutil.copytree(FIXTURE / "data", data_dir)
    data_dir.chmod(0o700)
    (data_dir / "vault.kek").chmod(0o600)
    return data_dir


def test_previous_release_vault_opens_with_every_record(release_vault):
    expected = json.loads((FIXTURE / "expected.json").read_text())
    vectors = np.load(FIXTURE / "vectors.npy")
    ids, labels, deleted = expected["ids"], expected["labels"], expected["deleted"]
    live = [i for i in ids if i != deleted]
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with Vault.open(release_vault) as vault:
        assert vault.count() == 5
        assert sorted(r.index_id for r in vault.list_ids()) == sorted(live)
        for k, index_id in enumerate(ids):
            best = vault.search(emb(vectors[k]), k=1)[0]
            if index_id == deleted:
                assert best.index_id != deleted
                continue
            assert best.index_id == index_id
            assert best.similarity == pytest.approx(1.0, abs=1e-5)
            record = vault.get(index_id)
            assert record.label == labels[k]
            assert (record.engine, record.model) == ("test", "synthetic-v1")
            assert record.status == "active"
            assert record.has_pin == (k == 0)
            assert record.has_payload == (k == 0)
            assert record.consent_version == {0: "v3", 1: "v4", 3: "v3"}.get(k)
        assert vault.get_payload(ids[0]) == b"badge-0"
        assert vault.get_payload(ids[1]) is None
        assert vault.get(ids[3]).last_seen == at
        assert vault.consents(ids[1]) == [("v4", at)]
        assert [v for v, _ in vault.consents(ids[0])] == ["v3"]
        assert [r.label for r in vault.list_ids(search="zo")] == ["Zoë"]
        assert vault.verify_pin(*expected["pin"])
        assert not vault.verify_pin(expected["pin"][0], "0000")
        assert vault.get_counter(f"kiosk.pin_locks.{deleted}") == 0  # purged with the ID
        assert vault.get_counter("kiosk.global.until") == 7
        events = vault.events()
        assert [(e.kind, e.index_id, e.decision) for e in events] == [
            ("attendance", ids[0], "match"),
            ("attendance", None, "match"),  # the purged ID's event, anonymised
            ("access", None, "unknown"),
        ]
        assert events[0].extra == {"score": 0.97} and events[0].at == at
        actions = [e.action for e in vault.audit_entries()]
        assert actions == [
            "enroll", "enroll", "enroll", "enroll", "pin_set", "purge", "enroll", "enroll",
            "report",
        ]  # fmt: skip
        result = vault.verify_audit()
        assert result.ok and result.checked == 9, result
        assert vault.verify_audit(expected["checkpoint"]).ok
        receipt = vault.delete(ids[0], reason="fixture purge")
        assert receipt.vectors_removed == 1
        assert not vault.has_pin(ids[0])
        assert vault.search(emb(vectors[0]), k=1)[0].index_id != ids[0]
    with Vault.open(release_vault) as vault:
        assert vault.count() == 4
        assert vault.verify_audit().ok
        assert vault.search(emb(vectors[5]), k=1)[0].index_id == ids[5]
    # the first open recorded in the sealed envelope that the log is anchored (issue 14.5)
    assert unlock(release_vault, None)[1].audit_anchored
