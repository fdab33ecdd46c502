"""The change feed that webhooks and site sync tail: audit entries by seq and events by id,
each seen once and in order, across a reopen and a purge."""

from __future__ import annotations

from facekiosk.vault import Vault
from tests.vault.conftest import emb, unit


def test_events_after_is_an_ordered_cursor_that_survives_reopen_and_purge(data_dir, rng):
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(unit(rng))])
        first = vault.record_event("attendance", index_id, "k1", "check_in")
        second = vault.record_event("auth", index_id, "k1", "granted")
        assert [e.id for e in vault.events_after(0)] == [first, second]
        assert [e.id for e in vault.events_after(first)] == [second]
        assert vault.events_after(second) == []
        vault.delete(index_id, reason="test")
    with Vault.open(data_dir) as vault:
        third = vault.record_event("auth", None, "k1", "deny", "UNRECOGNIZED_FACE")
        tail = vault.events_after(first)
        assert [e.id for e in tail] == [second, third]
        assert tail[0].index_id is None  # anonymised by the purge, still in the feed
        assert [e.id for e in vault.events_after(first, limit=1)] == [second]
        actions = [(a.action, a.details.get("index_id") or a.details.get("index_ids"))
                   for a in vault.audit_entries()]  # fmt: skip
        assert ("enroll", index_id) in actions and ("purge", [index_id]) in actions
