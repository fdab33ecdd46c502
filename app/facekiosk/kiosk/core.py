"""What every step handler shares: settings, the vault, clocks, the state and the attempt.

State changes go through `go` (same attempt, next step) or `reset` (a new attempt),
both checked against the transition table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from facekiosk.kiosk.attempt import Attempt, Biometrics
from facekiosk.kiosk.codes import SCAN_STATES, State
from facekiosk.kiosk.evidence import TemplateFrames
from facekiosk.kiosk.match_policy import MatchStreak
from facekiosk.kiosk.transitions import Event, next_state
from facekiosk.kiosk.vault_port import VaultPort
from facekiosk.settings import Settings


class FlowCore:
    def __init__(
        self,
        settings: Settings,
        vault: VaultPort,
        threshold: float,
        clock: Callable[[], float],
        wall: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.vault = vault
        self.threshold = threshold
        self.clock = clock
        self.wall = wall
        self.state = State.IDLE
        self.attempt = self._new_attempt(clock())

    def _new_biometrics(self) -> Biometrics:
        k = self.settings.kiosk
        return Biometrics(
            MatchStreak(k.confirm_frames, k.unrecognized_frames),
            TemplateFrames(k.template_frames, self.threshold),
        )

    def _new_attempt(self, now: float) -> Attempt:
        return Attempt(self._new_biometrics(), step_t0=now, last_input=now)

    def go(self, event: Event, now: float) -> None:
        """The next step of the same attempt; its timers start again."""
        self.state = next_state(self.state, event)
        a = self.attempt
        a.step_t0 = now
        a.last_input = now
        a.guidance = ()
        if a.scan_t0 is None and self.state in SCAN_STATES:
            a.scan_t0 = now

    def reset(self, event: Event, now: float) -> Attempt:
        """A new attempt in the state `event` leads to; a result keeps the purpose (the
        view shows what it was the result of). Everything else is dropped."""
        target = next_state(self.state, event)
        purpose = self.attempt.purpose if target == State.RESULT else None
        self.state = target
        self.attempt = self._new_attempt(now)
        self.attempt.purpose = purpose
        return self.attempt

    def drop_biometrics(self) -> None:
        self.attempt.bio = self._new_biometrics()
