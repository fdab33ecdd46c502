"""Start step: a button (enrol, sign in, forget me) or a face in view with auto-start
begins an attempt — unless the kiosk is in its failure lockout."""

from __future__ import annotations

from datetime import datetime, timedelta

from facekiosk.kiosk.attempt import EnrollArgs
from facekiosk.kiosk.codes import SCAN_STATES, ErrorCode, Purpose, State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.errors import KioskError
from facekiosk.kiosk.lockout import KioskLockout
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.transitions import Event


class StartStep:
    def __init__(self, core: FlowCore, outcome: OutcomeRecorder, kiosk_lock: KioskLockout) -> None:
        self.core = core
        self.outcome = outcome
        self.kiosk_lock = kiosk_lock

    def locked(self) -> float:
        """Seconds left in the kiosk failure lockout (0: open)."""
        return self.kiosk_lock.remaining(self.core.wall().timestamp())

    def begin(self, purpose: Purpose, now: float) -> bool:
        """A new attempt of `purpose`; False when it ended at once (kiosk locked)."""
        state = self.core.state
        if state in SCAN_STATES:
            # e.g. "Enrol" pressed while auto-start scans: nothing was committed yet
            self.outcome.emit("session", "cancelled", reason=ErrorCode.CANCELLED)
        elif state not in (State.IDLE, State.RESULT):
            raise KioskError(f"cannot start {purpose} while in {state}")
        self.core.reset(Event.CANCEL, now).purpose = purpose
        locked = self.locked()
        if locked > 0:
            self.outcome.fail(
                ErrorCode.TOO_MANY_REQUESTS, now, detail=f"kiosk paused {locked:.0f}s",
                count=False, retry_at=self.core.wall() + timedelta(seconds=locked),
            )  # fmt: skip
            return False
        return True

    def enroll(
        self, now: float, payload: bytes | None, label: str | None, valid_until: datetime | None
    ) -> None:
        if not self.begin(Purpose.ENROLL, now):
            return
        days = self.core.settings.kiosk.enroll_validity_days
        if valid_until is None and days:
            valid_until = self.core.wall() + timedelta(days=days)
        self.core.attempt.enroll = EnrollArgs(payload, label, valid_until)
        self.core.go(Event.START_ENROLL, now)

    def scan(self, purpose: Purpose, now: float) -> None:
        if self.begin(purpose, now):
            self.core.go(Event.START_SCAN, now)

    def auto_start(self, now: float) -> None:
        """kiosk.auto_start: a face in view while idle starts a sign-in."""
        self.core.attempt.purpose = Purpose.AUTH
        if self.locked() <= 0:
            self.core.go(Event.START_SCAN, now)
