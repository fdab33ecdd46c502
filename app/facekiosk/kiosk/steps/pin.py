"""PIN step: choose and confirm a PIN at enrollment; type it at sign-in / forget-me
(wrong `pin.max_tries` times locks the Index ID with backoff)."""

from __future__ import annotations

from facekiosk.kiosk import pin_policy
from facekiosk.kiosk.codes import ErrorCode, PinIssue, State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.errors import KioskError
from facekiosk.kiosk.lockout import IdLockouts
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.steps.admit import AdmitStep
from facekiosk.kiosk.steps.enrol import EnrolStep
from facekiosk.kiosk.transitions import Event


class PinStep:
    def __init__(
        self,
        core: FlowCore,
        outcome: OutcomeRecorder,
        admit: AdmitStep,
        enrol: EnrolStep,
        id_locks: IdLockouts,
    ) -> None:
        self.core = core
        self.outcome = outcome
        self.admit = admit
        self.enrol = enrol
        self.id_locks = id_locks

    def enter(self, pin: str, now: float) -> None:
        """Handle a typed PIN (set-up, confirmation or sign-in, by the state)."""
        state = self.core.state
        if state == State.PIN_SETUP:
            self._setup(pin, now)
        elif state == State.PIN_CONFIRM:
            self._confirm(pin, now)
        elif state == State.PIN_ENTRY:
            self._check(pin, now)
        else:
            raise KioskError(f"no PIN expected in {state}")

    def _setup(self, pin: str, now: float) -> None:
        core = self.core
        a = core.attempt
        a.last_input = now
        issues = pin_policy.pin_issues(pin, core.settings.pin)
        if not issues and core.settings.pin.unique and self._in_use(pin):
            issues = [PinIssue.NOT_UNIQUE]
        if issues:
            a.pin_issue = issues[0]
            return
        a.pin_issue = None
        a.pin_first = pin
        core.go(Event.PIN_CHOSEN, now)

    def _in_use(self, pin: str) -> bool:
        """pin.unique: one scrypt check per stored PIN (fine for hundreds, slow for thousands)."""
        vault = self.core.vault
        return any(r.has_pin and vault.verify_pin(r.index_id, pin) for r in vault.list_ids())

    def _confirm(self, pin: str, now: float) -> None:
        a = self.core.attempt
        assert a.pin_first is not None
        if pin_policy.pins_equal(pin, a.pin_first):
            self.enrol.finish(pin, now)
            return
        self.core.go(Event.PIN_MISMATCH, now)
        a.pin_first = None
        a.pin_issue = PinIssue.MISMATCH

    def _check(self, pin: str, now: float) -> None:
        core, out = self.core, self.outcome
        a = core.attempt
        assert a.candidate is not None
        index_id = a.candidate[0]
        a.last_input = now
        wall = core.wall().timestamp()
        if self.id_locks.remaining(index_id, wall) > 0:
            out.deny(ErrorCode.PIN_LOCKED, index_id, now, failure=False)
            return
        if core.vault.verify_pin(index_id, pin):
            self.id_locks.clear(index_id)
            a.pin_error = None
            self.admit.authenticated(now)
            return
        a.pin_tries += 1
        a.pin_error = ErrorCode.WRONG_PIN_CODE
        if a.pin_tries >= core.settings.pin.max_tries:
            seconds = self.id_locks.lock(index_id, wall)
            out.deny(ErrorCode.WRONG_PIN_CODE, index_id, now, detail=f"locked {seconds:.0f}s")
