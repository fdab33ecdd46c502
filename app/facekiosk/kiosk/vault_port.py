"""What the session needs from the vault (`VaultPort`), and its view of the event log.

`VaultPort` lists exactly the vault methods the kiosk calls, so the vault can change
anything else freely; the real `facekiosk.vault.Vault` satisfies it. Matching *policy*
(threshold, margin, streak) is the kiosk's (match_policy); the vault only searches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from facekiosk.engine.types import Embedding
from facekiosk.kiosk.attendance import PassRecord
from facekiosk.vault.records import EventRecord, IdentityRecord, Match, PurgeReceipt

# How far back "the last pass" is looked up: attendance debounce and a day's
# in/out alternation need today; anti-passback resets after this long too.
LOOKBACK = timedelta(hours=24)


class VaultPort(Protocol):
    # identification
    def search(self, embedding: Embedding, k: int = ...) -> Sequence[Match]: ...

    def find_duplicate(self, embedding: Embedding, threshold: float) -> Match | None: ...

    def spaces(self) -> dict[str, int]: ...

    # records
    def get(self, index_id: str) -> IdentityRecord: ...

    def list_ids(self) -> Sequence[IdentityRecord]: ...

    def enroll(
        self,
        embeddings: Sequence[Embedding],
        *,
        label: str | None = ...,
        payload: bytes | None = ...,
        consent_version: str | None = ...,
        valid_until: datetime | None = ...,
    ) -> str: ...

    def replace_template(
        self, index_id: str, embeddings: Sequence[Embedding], *, actor: str = ...
    ) -> None: ...

    def delete(
        self, index_ids: Sequence[str], *, reason: str = ..., actor: str = ...
    ) -> PurgeReceipt: ...

    def touch(self, index_id: str) -> None: ...

    def record_consent(
        self, index_id: str, version: str, accepted_at: datetime | None = ...
    ) -> None: ...

    # PINs
    def set_pin(self, index_id: str, pin: str) -> None: ...

    def verify_pin(self, index_id: str, pin: str) -> bool: ...

    def has_pin(self, index_id: str) -> bool: ...

    # lockout counters (kiosk.store.CounterStore)
    def get_counter(self, key: str, default: int = ...) -> int: ...

    def set_counter(self, key: str, value: int) -> None: ...

    def delete_counter(self, key: str) -> None: ...

    # event log
    def record_event(
        self,
        kind: str,
        index_id: str | None = ...,
        kiosk_id: str = ...,
        decision: str = ...,
        reason: str = ...,
        extra: dict[str, Any] | None = ...,
        at: datetime | None = ...,
    ) -> int: ...

    def events(
        self,
        since: datetime | None = ...,
        until: datetime | None = ...,
        kind: str | None = ...,
        index_id: str | None = ...,
    ) -> Sequence[EventRecord]: ...


class EventLog:
    def __init__(self, vault: VaultPort, kiosk_id: str) -> None:
        self._vault = vault
        self._kiosk_id = kiosk_id

    def record(
        self,
        kind: str,
        index_id: str | None,
        decision: str,
        reason: str,
        extra: dict[str, Any],
        at: datetime,
    ) -> None:
        self._vault.record_event(kind, index_id, self._kiosk_id, decision, reason, extra, at)

    def last_pass(self, index_id: str, kind: str, now: datetime) -> PassRecord | None:
        """The newest stored (not denied) decision of `kind` for `index_id`, any kiosk."""
        events = self._vault.events(since=now - LOOKBACK, kind=kind, index_id=index_id)
        passes = [e for e in events if e.decision != "deny"]
        if not passes:
            return None
        e = passes[-1]
        return PassRecord(e.at, e.index_id or index_id, e.decision, e.kiosk_id)
