"""Attendance: check-in / check-out with a debounce window, and a per-day summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from facekiosk.kiosk.codes import ResultKind

CHECK_IN = "check_in"
CHECK_OUT = "check_out"


@dataclass(frozen=True)
class PassRecord:
    """One stored attendance/access decision (what the event log gives back)."""

    at: datetime
    index_id: str
    decision: str  # check_in | check_out | grant_in | grant_out | deny
    kiosk_id: str = ""


def next_attendance(last: PassRecord | None, now: datetime, debounce: timedelta) -> ResultKind:
    """What a recognised person's arrival at the kiosk means now.

    Within the debounce window of their last record nothing new is stored (people
    stand in front of the camera for a while, or come back to check); otherwise
    they alternate in/out within a day and start with a check-in each new day.
    """
    if last is not None and now - last.at < debounce:
        return ResultKind.ALREADY_RECORDED
    same_day = last is not None and last.at.astimezone(now.tzinfo).date() == now.date()
    if last is not None and last.decision == CHECK_IN and same_day:
        return ResultKind.CHECK_OUT
    return ResultKind.CHECK_IN


@dataclass(frozen=True)
class DaySummary:
    index_id: str
    first_in: datetime | None
    last_out: datetime | None
    check_ins: int
    check_outs: int
    present_minutes: float  # sum of closed check-in -> check-out intervals
    open: bool  # checked in and not (yet) out


def day_summary(
    records: Iterable[PassRecord], day: date, tz: tzinfo | None = None
) -> list[DaySummary]:
    """Per Index ID for one calendar `day` in `tz` (None = this machine's local time)."""
    by_id: dict[str, list[PassRecord]] = {}
    for r in records:
        if r.at.astimezone(tz).date() == day and r.decision in (CHECK_IN, CHECK_OUT):
            by_id.setdefault(r.index_id, []).append(r)
    out = []
    for index_id, recs in sorted(by_id.items()):
        recs.sort(key=lambda r: r.at)
        ins = [r for r in recs if r.decision == CHECK_IN]
        outs = [r for r in recs if r.decision == CHECK_OUT]
        minutes, since = 0.0, None
        for r in recs:
            if r.decision == CHECK_IN:
                since = since or r.at
            elif since is not None:
                minutes += (r.at - since).total_seconds() / 60.0
                since = None
        out.append(
            DaySummary(
                index_id=index_id,
                first_in=ins[0].at if ins else None,
                last_out=outs[-1].at if outs else None,
                check_ins=len(ins),
                check_outs=len(outs),
                present_minutes=round(minutes, 1),
                open=since is not None,
            )
        )
    return out
