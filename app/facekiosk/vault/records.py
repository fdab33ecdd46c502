"""Plain result types returned by the vault (no behaviour, safe to pass to the UI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Match:
    index_id: str
    similarity: float  # cosine similarity of unit vectors, exact (re-ranked in float64)


@dataclass(frozen=True)
class IdentityRecord:
    index_id: str
    created: datetime
    engine: str
    model: str
    consent_version: str | None
    status: str  # "active"; "no_template" when its vector is missing (reported, not deleted)
    valid_until: datetime | None
    last_seen: datetime | None
    label: str | None  # decrypted on read
    has_pin: bool
    has_payload: bool
    n_images: int

    @property
    def space(self) -> str:
        return f"{self.engine}/{self.model}"


@dataclass(frozen=True)
class PurgeReceipt:
    index_ids: list[str]
    purged_at: datetime
    vectors_removed: int
    metadata_rows_removed: int
    events_anonymised: int
    audit_seq: int  # the audit entry recording the purge


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    mac: str


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    missing: tuple[int, int] | None = None  # truncated tail: first and last missing seq
    note: str = ""  # e.g. the head anchor is one entry behind after a crash (still ok)


@dataclass(frozen=True)
class EventRecord:
    id: int
    at: datetime
    kind: str
    index_id: str | None
    kiosk_id: str
    decision: str
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)
