"""CSV export of attendance/access events (for payroll or access reports)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from facekiosk.vault.records import EventRecord

CSV_COLUMNS = ("id", "at", "kind", "index_id", "kiosk_id", "decision", "reason", "extra")


def write_events_csv(events: Iterable[EventRecord], out: TextIO) -> int:
    """Write a header and one row per event; returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for e in events:
        writer.writerow(
            [
                e.id,
                e.at.isoformat(),
                e.kind,
                e.index_id or "",
                e.kiosk_id,
                e.decision,
                e.reason,
                json.dumps(e.extra, sort_keys=True) if e.extra else "",
            ]
        )
        n += 1
    return n
