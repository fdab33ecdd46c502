"""`Vault.add_change_listener`: the commit signal site sync waits on. It fires after the
write is committed (another connection already sees it), never for a rolled-back
transaction, and a listener that raises neither breaks the write nor silences the others."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from facekiosk.vault import Vault
from facekiosk.vault.errors import UnknownIndexId
from facekiosk.vault.metadata import METADATA_FILE
from tests.vault.conftest import emb, unit


def test_listeners_fire_after_the_commit_of_enrol_event_and_purge(data_dir, rng):
    with Vault.open(data_dir) as vault:
        seen: list[tuple[int, int]] = []
        other = sqlite3.connect(f"file:{data_dir / METADATA_FILE}?mode=ro", uri=True)

        def committed() -> None:  # what a second reader sees when the signal comes
            audit = other.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]
            events = other.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            seen.append((audit, events))

        remove = vault.add_change_listener(committed)
        index_id = vault.enroll([emb(unit(rng))])
        assert seen[-1][0] == vault.audit_entries()[-1].seq  # already visible elsewhere
        event = vault.record_event("attendance", index_id, "k1", "check_in")
        assert seen[-1][1] == event
        before = len(seen)
        vault.delete(index_id, reason="test")
        assert len(seen) > before and seen[-1][0] == vault.audit_entries()[-1].seq
        remove()
        remove()  # twice is harmless
        before = len(seen)
        vault.record_event("attendance", None, "k1", "deny", "UNRECOGNIZED_FACE")
        assert len(seen) == before
        other.close()


def test_no_signal_for_a_rolled_back_write(data_dir, rng):
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(unit(rng))])
        event = vault.record_event("attendance", index_id, "k1", "check_in")
        calls: list[int] = []
        vault.add_change_listener(lambda: calls.append(1))
        with pytest.raises(RuntimeError), vault.db.tx() as conn:
            conn.execute("DELETE FROM events")
            raise RuntimeError("the writer fails after its first statement")
        with pytest.raises(UnknownIndexId):
            vault.update("3f1c0000-0000-4000-8000-000000000000", label="nobody")
        assert calls == []
        assert [e.id for e in vault.events_after(0)] == [event]  # rolled back indeed


def test_a_raising_listener_does_not_break_the_write_or_the_others(data_dir, rng, caplog):
    with Vault.open(data_dir) as vault:
        calls: list[int] = []

        def broken() -> None:
            raise OSError("pipe closed")

        vault.add_change_listener(broken)
        vault.add_change_listener(lambda: calls.append(1))
        with caplog.at_level(logging.ERROR, logger="facekiosk.vault.metadb"):
            index_id = vault.enroll([emb(unit(rng))])
        assert vault.get(index_id).index_id == index_id
        assert calls == [1]
        assert "change listener failed" in caplog.text
    with Vault.open(data_dir) as vault:  # and it is durable
        assert vault.count() == 1
