"""The change feed turned into webhook events: audit `enroll`/`replace_template` -> enroll,
`purge` -> one delete per Index ID, sign-in events of the event log -> auth. Bodies carry
IDs, times, the kiosk and the decision code; never a vector, an image, a label or a score."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from facekiosk.vault.records import AuditEntry, EventRecord
from facekiosk.vault.webhook_outbox import OutboxItem

AUTH_KINDS = frozenset({"attendance", "access", "auth"})


def _item(
    key: str, event: str, at: datetime, data: dict[str, Any]
) -> tuple[datetime, OutboxItem]:
    body = {"id": key, "event": event, "at": at.isoformat(), **data}
    return at, OutboxItem(key, event, json.dumps(body, separators=(",", ":"), sort_keys=True))


def feed_items(
    events: Sequence[EventRecord], audit: Sequence[AuditEntry], kiosk_id: str
) -> list[OutboxItem]:
    """Items in time order (each source is in commit order; the two are merged by time)."""
    out: list[tuple[datetime, OutboxItem]] = []
    for a in audit:
        at = a.at
        if a.action in ("enroll", "replace_template"):
            out.append(_item(f"a{a.seq}", "enroll", at, {
                "fid": a.details.get("index_id"), "kiosk_id": kiosk_id,
                "reenrolment": a.action == "replace_template", "actor": a.actor,
            }))  # fmt: skip
        elif a.action == "purge":
            for n, fid in enumerate(a.details.get("index_ids", [])):
                out.append(_item(f"a{a.seq}.{n}", "delete", at, {
                    "fid": fid, "kiosk_id": kiosk_id, "actor": a.actor,
                }))  # fmt: skip
    for e in events:
        if e.kind in AUTH_KINDS:
            out.append(_item(f"e{e.id}", "auth", e.at, {
                "fid": e.index_id, "kiosk_id": e.kiosk_id or kiosk_id, "kind": e.kind,
                "decision": e.decision, "reason": e.reason,
            }))  # fmt: skip
    out.sort(key=lambda pair: pair[0])  # stable: same-time items keep their source order
    return [item for _, item in out]
