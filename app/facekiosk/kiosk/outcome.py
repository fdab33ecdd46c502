"""How an attempt ends: success, failure or denial; the event log, the listeners' event
buffer, the attempt-source throttle and (for floods) the kiosk failure lockout.

Events for listeners (UI log, metrics) go to a bounded buffer: the running app drains it
only when something listens, so an unbounded list would grow for as long as the kiosk
runs. The newest MAX_EVENTS are kept (a few minutes of a busy kiosk); every decision is
also in the vault's event log, which is the record.
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import datetime, timedelta

from facekiosk.engine.types import Embedding
from facekiosk.kiosk.codes import ErrorCode, ResultKind
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.lockout import KioskLockout
from facekiosk.kiosk.throttle import SourceThrottle
from facekiosk.kiosk.transitions import Event
from facekiosk.kiosk.vault_port import EventLog
from facekiosk.kiosk.view import KioskEvent, Result

log = logging.getLogger(__name__)

MAX_EVENTS = 256


class OutcomeRecorder:
    def __init__(
        self,
        core: FlowCore,
        event_log: EventLog,
        kiosk_lock: KioskLockout,
        throttle: SourceThrottle,
    ) -> None:
        self.core = core
        self.log = event_log
        self.kiosk_lock = kiosk_lock
        self.throttle = throttle
        self.events: deque[KioskEvent] = deque(maxlen=MAX_EVENTS)

    def drain(self) -> list[KioskEvent]:
        events = list(self.events)
        self.events.clear()
        return events

    def succeed(
        self,
        kind: ResultKind,
        now: float,
        *,
        index_id: str | None,
        similarity: float | None = None,
        receipt_code: str | None = None,
        detail: str = "",
    ) -> None:
        a = self.core.reset(Event.FINISH, now)
        a.result = Result(kind, self.core.wall(), index_id, receipt_code, similarity, detail)

    def fail(
        self,
        code: ErrorCode,
        now: float,
        *,
        detail: str = "",
        count: bool = True,
        store: bool = True,
        index_id: str | None = None,
        event: Event = Event.FINISH,
        extra: dict[str, object] | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """Show error `code`; `count` counts a failure against the attempt's sources (the
        face, the Index ID) and, for a first offence, the kiosk; `store` writes the event
        log (with `extra`: e.g. liveness layer verdicts; never an image or a vector);
        `retry_at`: when a pause ends (the page counts down)."""
        purpose = self.core.attempt.purpose
        face = self.core.attempt.bio.source  # read before the reset drops it
        a = self.core.reset(event, now)
        a.error = code
        if store:
            self.record(str(purpose or "session"), "deny", index_id, code, None, detail, extra)
        else:
            self.emit(str(purpose or "session"), "deny", reason=code)
        if count:
            retry_at = self._count_failure(face, index_id) or retry_at
        a.result = Result(
            ResultKind.ERROR, self.core.wall(), None, None, None, detail, retry_at=retry_at
        )

    def _count_failure(self, face: Embedding | None, index_id: str | None) -> datetime | None:
        """The throttle first; the kiosk only for a source never paused. Returns when the
        pause this failure started ends (None: no pause)."""
        wall = self.core.wall()
        pause, first_offence = self.throttle.record_failure(
            wall.timestamp(), face, index_id
        )
        if pause:
            log.warning("attempt source paused for %.0f s after repeated failures", pause)
            self.emit("session", "source_paused", index_id=index_id, extra={"seconds": pause})
        if first_offence:
            locked = self.kiosk_lock.record_failure(wall.timestamp())
            if locked:
                log.warning("kiosk locked for %.0f s after a flood of failures", locked)
                self.emit("session", "kiosk_locked", extra={"seconds": locked})
                pause = max(pause, locked)
        return wall + timedelta(seconds=pause) if pause else None

    def deny(
        self,
        code: ErrorCode,
        index_id: str | None,
        now: float,
        *,
        failure: bool = True,
        detail: str = "",
        reason: str = "",
        kind: str | None = None,
    ) -> None:
        """A refusal that names the Index ID in the event log; `kind` logs it under that
        kind (attendance/access) instead of the attempt's purpose."""
        if kind is not None:
            self.record(kind, "deny", index_id, code, None, detail)
            self.fail(code, now, detail=detail, count=failure, store=False)
        else:
            self.fail(code, now, detail=detail or reason, count=failure, index_id=index_id)

    def record(
        self,
        kind: str,
        decision: str,
        index_id: str | None,
        reason: str,
        similarity: float | None,
        detail: str = "",
        more: dict[str, object] | None = None,
    ) -> None:
        extra: dict[str, object] = dict(more or {})
        if similarity is not None:
            extra["similarity"] = round(float(similarity), 4)
        if detail:
            extra["detail"] = detail
        at = self.core.wall()
        self.log.record(kind, index_id, decision, str(reason), extra, at)
        self.events.append(KioskEvent(kind, decision, at, index_id, str(reason), extra))

    def emit(
        self,
        kind: str,
        decision: str,
        *,
        index_id: str | None = None,
        reason: str = "",
        extra: dict[str, object] | None = None,
    ) -> None:
        self.events.append(
            KioskEvent(kind, decision, self.core.wall(), index_id, str(reason), extra or {})
        )
