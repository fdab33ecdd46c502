"""Enrol step: template frames across small pose changes (all of the person who passed
liveness), the duplicate check, and the vault write once the PIN (if any) is chosen."""

from __future__ import annotations

from facekiosk.engine.types import Face
from facekiosk.kiosk import pin_policy, space_search
from facekiosk.kiosk.codes import ErrorCode, ResultKind, SessionGuidance
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.receipt import enrollment_receipt
from facekiosk.kiosk.steps.consent import ConsentStep
from facekiosk.kiosk.steps.track import restart_scan
from facekiosk.kiosk.transitions import Event


class EnrolStep:
    def __init__(
        self,
        core: FlowCore,
        outcome: OutcomeRecorder,
        consent: ConsentStep,
    ) -> None:
        self.core = core
        self.outcome = outcome
        self.consent = consent

    def on_face(self, face: Face, now: float) -> None:
        """One good TEMPLATE frame; skipped without an embedding (none was asked for)."""
        a = self.core.attempt
        template = a.bio.template
        pose = (face.pose.yaw, face.pose.pitch) if face.pose is not None else (0.0, 0.0)
        template.seen_pose = pose
        wanted = template.wants(pose, now)
        if wanted is None:
            a.guidance = (str(SessionGuidance.MOVE_SLIGHTLY),)
        if not wanted or face.embedding is None:
            return
        if not template.add(face.embedding, pose, now):
            # Not the person who passed liveness: someone swapped in front of the camera.
            restart_scan(self.core, self.outcome, now)
            return
        # Its vectors of legacy spaces the vault holds: the duplicate check searches there too.
        a.bio.legacy.extend(space_search.legacy_vectors(face, self.core.vault.spaces()))
        if template.done:
            self._template_done(now)

    def _template_done(self, now: float) -> None:
        core = self.core
        bio = core.attempt.bio
        duplicate = space_search.find_duplicate(
            core.vault, bio.template.mean(), bio.legacy, core.threshold
        )
        if duplicate is not None:
            # The existing Index ID is not revealed: it would tell a stranger who is enrolled.
            # It still tells that this face is enrolled, so it counts as a failed attempt:
            # the kiosk lockout slows down anyone probing who is enrolled.
            self.outcome.record(
                "enroll", "deny", None, ErrorCode.FACE_DUPLICATION, duplicate.similarity
            )
            self.outcome.fail(ErrorCode.FACE_DUPLICATION, now, store=False)
            return
        if pin_policy.pin_offered_at_enroll(core.settings.pin):
            core.go(Event.TEMPLATE_DONE, now)
        else:
            self.finish(None, now)

    def finish(self, pin: str | None, now: float) -> None:
        """Write the new Index ID (template, payload, PIN, consent) or nothing at all."""
        core = self.core
        a = core.attempt
        args = a.enroll
        a.pin_first = None
        index_id = core.vault.enroll(
            list(a.bio.template.embeddings),
            label=args.label,
            payload=args.payload,
            consent_version=None,  # recorded below with the time the person accepted
            valid_until=args.valid_until,
        )
        try:
            if pin is not None:
                core.vault.set_pin(index_id, pin)
            accepted_at = a.consent_at or core.wall()
            core.vault.record_consent(index_id, self.consent.text.version, accepted_at)
        except Exception:
            # Half an enrollment is worse than none: take the new Index ID back out.
            core.vault.delete([index_id], reason="enrollment rolled back", actor="kiosk")
            raise
        self.outcome.record("enroll", "enrolled", index_id, "ok", None)
        self.outcome.succeed(
            ResultKind.ENROLLED, now, index_id=index_id, receipt_code=enrollment_receipt(index_id)
        )
