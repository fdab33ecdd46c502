"""Match step (sign-in, forget-me): each good frame's embedding against the vault, the
streak (match_policy), then what the identified person may do: lockout, validity,
access groups and schedule, and whether a PIN is asked.

A vault that still holds templates of an older engine's space (enrolled with `dlib`
before the switch to `bundled`) is searched there too with the face's old-space vector
(space_search); a person matched there keeps the primary embeddings of the streak's frames
in the attempt, and the admit step writes them as their new template."""

from __future__ import annotations

from datetime import timedelta

from facekiosk.engine.types import Face
from facekiosk.kiosk import match_policy, space_search
from facekiosk.kiosk.codes import ErrorCode, Purpose, State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.lockout import IdLockouts
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.steps.admit import AccessPolicySource, AdmitStep
from facekiosk.kiosk.transitions import Event
from facekiosk.vault import UnknownIndexId


class MatchStep:
    def __init__(
        self,
        core: FlowCore,
        outcome: OutcomeRecorder,
        admit: AdmitStep,
        policy: AccessPolicySource,
        id_locks: IdLockouts,
    ) -> None:
        self.core = core
        self.outcome = outcome
        self.admit = admit
        self.policy = policy
        self.id_locks = id_locks

    def on_face(self, face: Face, now: float) -> None:
        """One good frame. Without an embedding (the engine was not asked for one, or
        embedded another face) the frame is skipped: neither a hit nor a miss."""
        if face.embedding is None:
            return
        core = self.core
        decision, _ = space_search.search_face(
            core.vault, face, core.threshold, core.settings.engine.margin
        )
        streak = core.attempt.bio.streak
        if decision.outcome == "match" and decision.best is not None:
            legacy = decision.space is not None and decision.space != face.embedding.space
            streak.hit(
                decision.best.index_id,
                decision.best.similarity,
                space=decision.space,
                upgrade=face.embedding if legacy else None,
            )
            if core.state == State.MATCHING:
                self.maybe_decide(now)
        else:
            streak.miss()
            if streak.unrecognized:
                self.outcome.deny(ErrorCode.UNRECOGNIZED_FACE, None, now, reason=decision.reason)

    def maybe_decide(self, now: float) -> None:
        core, out = self.core, self.outcome
        confirmed = core.attempt.bio.streak.confirmed
        if confirmed is None:
            return
        index_id, similarity = confirmed
        streak = core.attempt.bio.streak
        space = streak.space
        # A legacy-space match: its fused frames wait in the attempt for the admission.
        core.attempt.upgrade = list(streak.upgrade)
        core.drop_biometrics()  # the identity is settled; no more frames needed
        core.attempt.candidate = (index_id, similarity)
        wall = core.wall()
        if self.id_locks.remaining(index_id, wall.timestamp()) > 0:
            out.deny(ErrorCode.PIN_LOCKED, index_id, now, failure=False)
            return
        paused = out.throttle.id_remaining(index_id, wall.timestamp())
        if paused > 0:  # attempts naming this Index ID failed again and again
            out.fail(
                ErrorCode.TOO_MANY_REQUESTS, now, detail=f"index id paused {paused:.0f}s",
                count=False, index_id=index_id, retry_at=wall + timedelta(seconds=paused),
            )  # fmt: skip
            return
        try:
            record = core.vault.get(index_id)
        except UnknownIndexId:  # deleted by the admin a moment ago
            out.deny(ErrorCode.UNRECOGNIZED_FACE, None, now, reason="deleted")
            return
        has_pin = bool(core.vault.has_pin(index_id))
        settings = core.settings
        if core.attempt.purpose == Purpose.FORGET:
            need_pin = has_pin  # the right to be forgotten never waits for a schedule
        else:
            refusal = self.policy.current().check(
                index_id,
                wall,
                kiosk_groups=settings.kiosk.access_groups,
                valid_until=record.valid_until,
            )
            if refusal is not None:
                out.deny(refusal, index_id, now, failure=False)
                return
            need_pin = match_policy.pin_needed_for_auth(
                settings.pin,
                has_pin=has_pin,
                similarity=similarity,
                confident_threshold=match_policy.confident_threshold(
                    settings, core.threshold, space if core.attempt.upgrade else None
                ),
            )
        if need_pin:
            core.go(Event.NEED_PIN, now)
        else:
            self.admit.authenticated(now)
