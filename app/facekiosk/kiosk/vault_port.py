"""The session's view of the vault's event log: write decisions, read someone's last pass."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from facekiosk.kiosk.attendance import PassRecord

# How far back "the last pass" is looked up: attendance debounce and a day's
# in/out alternation need today; anti-passback resets after this long too.
LOOKBACK = timedelta(hours=24)


class EventLog:
    def __init__(self, vault: Any, kiosk_id: str) -> None:
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
