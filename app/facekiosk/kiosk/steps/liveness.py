"""Liveness step: one liveness session per attempt, fed every scan frame until it decides."""

from __future__ import annotations

import numpy as np

from facekiosk.engine.types import Face
from facekiosk.kiosk.codes import ErrorCode, Purpose
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.liveness_port import LivenessFactory
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.settings import Settings


def liveness_level(settings: Settings, purpose: Purpose | None) -> str:
    """The level an attempt of `purpose` runs ("off" | "passive" | "challenge")."""
    live = settings.liveness
    return live.enroll_level if purpose == Purpose.ENROLL else live.auth_level


class LivenessStep:
    def __init__(self, core: FlowCore, outcome: OutcomeRecorder, factory: LivenessFactory) -> None:
        self.core = core
        self.outcome = outcome
        self.factory = factory

    def start(self) -> None:
        a = self.core.attempt
        a.bio.liveness = self.factory(liveness_level(self.core.settings, a.purpose))

    def update(self, face: Face | None, n_faces: int, image: np.ndarray, now: float) -> None:
        bio = self.core.attempt.bio
        if bio.liveness is None:
            return
        st = bio.liveness.update(face, n_faces, image, now)
        bio.liveness_status = st.status
        bio.liveness_prompt = st.prompt
        bio.liveness_progress = float(st.progress)
        if st.status == "failed":
            # A prompted action not done in time is more often a slow person than an attack:
            # say TIMEOUT (still a failed attempt for the kiosk lockout).
            slow = str(st.reason) == "CHALLENGE_TIMEOUT"
            code = ErrorCode.TIMEOUT if slow else ErrorCode.PAD_ATTACK
            self.outcome.fail(code, now, detail=str(st.reason or ""))
