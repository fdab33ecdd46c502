"""Scan step: each camera frame in CAPTURE/LIVENESS/MATCHING/TEMPLATE — the quality gate,
the tracked face, the mask and age gate — then the frame goes to the step that needs it.

The frame's faces come from one engine call the pipeline made with
`KioskSession.frame_request()`; this step never calls the engine. A face without the
embedding a step needs skips that step for this frame.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np

from facekiosk.engine import quality
from facekiosk.engine.types import Face
from facekiosk.kiosk.codes import ErrorCode, Purpose, SessionGuidance, State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.occlusion import looks_masked
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.steps.enrol import EnrolStep
from facekiosk.kiosk.steps.guidance import consistent_guidance
from facekiosk.kiosk.steps.liveness import LivenessStep
from facekiosk.kiosk.steps.match import MatchStep
from facekiosk.kiosk.steps.track import restart_scan, same_track
from facekiosk.kiosk.transitions import Event

log = logging.getLogger(__name__)


class ScanStep:
    def __init__(
        self,
        core: FlowCore,
        outcome: OutcomeRecorder,
        liveness: LivenessStep,
        match: MatchStep,
        enrol: EnrolStep,
    ) -> None:
        self.core = core
        self.outcome = outcome
        self.liveness = liveness
        self.match = match
        self.enrol = enrol
        self._warned_mask_unknown = False

    def on_frame(self, image: np.ndarray, faces: list[Face], now: float) -> None:
        core = self.core
        a = core.attempt
        enroll = a.purpose == Purpose.ENROLL
        verdict = quality.assess(
            faces, image.shape, "enroll" if enroll else "auth", core.settings.quality, image
        )
        face = verdict.face
        if face is None:  # nobody, or several people at enrollment
            a.block = "MANY_FACES" if len(faces) > 1 else "NO_FACE"
            a.guidance = tuple(str(c) for c in verdict.codes)
            a.bio.track_box = None
            a.bio.streak.interrupt()
            if core.state == State.CAPTURE:
                self.liveness.observe(None, len(faces), image, now)
            else:
                self.liveness.update(None, len(faces), image, now)
            return
        if not same_track(core, face):
            restart_scan(core, self.outcome, now)
        a.block = ""
        x1, y1, x2, y2 = face.bbox
        a.bio.track_box = (float(x1), float(y1), float(x2), float(y2))
        if face.embedding is not None:
            a.bio.source = face.embedding
            if self._paused(face, now):
                return
        if self._refused(image, face, now):
            return

        if core.state == State.CAPTURE:
            if not verdict.ok or (enroll and face.embedding is None):
                # Not yet (the enrolment anchor needs this frame's embedding): the
                # passive liveness layer already watches the face meanwhile.
                self.liveness.observe(face, len(faces), image, now)
                if not verdict.ok:
                    a.block = "QUALITY"
                a.guidance = () if verdict.ok else self._hints(verdict)
                return
            a.guidance = ()
            core.go(Event.FACE_READY, now)
            self.liveness.start()
            if enroll:
                # The face before the challenge: template frames after it must match it, so
                # the person who passed liveness is the person enrolled.
                a.bio.template.anchor = face.embedding

        if core.state == State.LIVENESS:
            # Challenge prompts ask for head turns: pose guidance does not apply here.
            a.guidance = ()
            if not enroll and verdict.ok:
                # The same frames confirm the identity, and the liveness session sees the
                # embedding on the face: it can check the identity stays the same.
                self.match.on_face(face, now)
            if core.state == State.LIVENESS:
                self.liveness.update(face, len(faces), image, now)
            if core.state != State.LIVENESS or a.bio.liveness_status != "passed":
                return
            core.go(Event.LIVE_ENROLL if enroll else Event.LIVE_AUTH, now)
            if not enroll:
                self.match.maybe_decide(now)
                return

        a.guidance = self._hints(verdict)
        if not verdict.ok:
            a.block = "QUALITY"
            return
        if core.state == State.MATCHING:
            self.match.on_face(face, now)
        elif core.state == State.TEMPLATE:
            self.enrol.on_face(face, now)

    def _hints(self, verdict: quality.QualityVerdict) -> tuple[str, ...]:
        return consistent_guidance(
            [str(c) for c in verdict.codes],
            verdict.measures,
            self.core.attempt.guidance,
            self.core.settings.quality.max_face_fraction,
        )

    def _paused(self, face: Face, now: float) -> bool:
        """This face failed too often lately (kiosk/throttle.py): it waits, the queue
        behind it does not. Not counted again (waiting is not a new failure)."""
        wall = self.core.wall()
        left = self.outcome.throttle.face_remaining(face.embedding, wall.timestamp())
        if left <= 0:
            return False
        self.outcome.fail(
            ErrorCode.TOO_MANY_REQUESTS, now, detail=f"face paused {left:.0f}s", count=False,
            retry_at=wall + timedelta(seconds=left),
        )  # fmt: skip
        return True

    def _refused(self, image: np.ndarray, face: Face, now: float) -> bool:
        """The mask and age gate: True when this face may not go on."""
        k = self.core.settings.kiosk
        refusal = None
        if not k.allow_masked and self._is_masked(image, face):
            refusal = ErrorCode.FACE_MASKED
        elif k.min_age > 0:
            age = face.extras.get("age")
            if age is None:
                refusal = ErrorCode.AGE_UNKNOWN  # fail closed: the engine cannot tell
            elif float(age) < k.min_age:  # type: ignore[arg-type]
                refusal = ErrorCode.MINORS_NOT_ALLOWED
        if refusal is None:
            return False
        if refusal == ErrorCode.MINORS_NOT_ALLOWED:
            self.outcome.fail(refusal, now, count=False)
            return True
        a = self.core.attempt
        masked = refusal == ErrorCode.FACE_MASKED
        a.block = "MASKED" if masked else "AGE_UNKNOWN"
        guide = SessionGuidance.MASKED if masked else SessionGuidance.AGE_UNKNOWN
        a.guidance = (str(guide),)
        return True

    def _is_masked(self, image: np.ndarray, face: Face) -> bool:
        """The engine's verdict when it gives one, else the lower-face colour check."""
        masked = face.extras.get("masked")
        if masked is None:
            masked = looks_masked(image, face)
        if masked is None and not self._warned_mask_unknown:
            self._warned_mask_unknown = True
            log.warning("kiosk.allow_masked = false: no mask verdict for this engine's faces")
        return bool(masked)
