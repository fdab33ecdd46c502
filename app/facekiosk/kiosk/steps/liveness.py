"""Liveness step: one liveness session per attempt, fed every scan frame until it decides.

A failed check is PAD_ATTACK only on evidence of an attack (a layer saw a screen, a sheet,
a frozen feed, another person); a check that could not confirm a live person (the head
turned the wrong way twice, the model stayed unsure, too many interruptions) is
LIVENESS_NOT_CONFIRMED, and a prompted action not done in time is TIMEOUT: a confused or
slow person is not accused of an attack. The event log keeps the reason, the layer that
decided and every layer's verdict (never an image).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from facekiosk.engine.types import Face
from facekiosk.kiosk.codes import LIVENESS_PROMPTS, ErrorCode, Purpose
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.liveness_port import LivenessFactory, LivenessLike
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.settings import Settings

# engine.liveness.codes.Reason values, as strings: the kiosk maps what any liveness session
# reports (the real one, the insightface addon, a scripted test double) without importing it.
# Reason -> the layer that decided it (event log).
LAYER_FOR_REASON: dict[str, str] = {
    "MODEL_SPOOF": "model",
    "MODEL_UNSURE": "model",
    "ADDON_SPOOF": "addon",
    "STILL_IMAGE": "motion",
    "PLANAR_MOTION": "motion",
    "SCREEN_CUES": "screen_cues",
    "WRONG_ACTION": "challenge",
    "CHALLENGE_TIMEOUT": "challenge",
    "TOO_MANY_RESTARTS": "track",
}
# Evidence of a presentation attack: a screen or replay (model, addon, screen cues), a sheet
# moved like a head (planar), a frozen or injected feed (still), an identity swap mid-check.
ATTACK_REASONS = frozenset(
    {"MODEL_SPOOF", "ADDON_SPOOF", "SCREEN_CUES", "PLANAR_MOTION", "STILL_IMAGE"}
)
IDENTITY_SWAP = "FACE_CHANGED"  # a restart reason: another person's face during the check


def liveness_level(settings: Settings, purpose: Purpose | None) -> str:
    """The level an attempt of `purpose` runs ("off" | "passive" | "challenge")."""
    live = settings.liveness
    return live.enroll_level if purpose == Purpose.ENROLL else live.auth_level


def error_for(reason: str, last_restart: str | None = None) -> ErrorCode:
    """The code a person sees for a failed liveness check with `reason`; `last_restart` is
    the reason of the session's last restart (TOO_MANY_RESTARTS after an identity swap is
    an attack; after lost tracks or a passer-by it is not)."""
    if reason in ATTACK_REASONS:
        return ErrorCode.PAD_ATTACK
    if reason == "TOO_MANY_RESTARTS" and last_restart == IDENTITY_SWAP:
        return ErrorCode.PAD_ATTACK
    if reason == "CHALLENGE_TIMEOUT":
        return ErrorCode.TIMEOUT  # more often a slow person than an attack
    return ErrorCode.LIVENESS_NOT_CONFIRMED  # WRONG_ACTION, MODEL_UNSURE, unknown reasons


class LivenessStep:
    def __init__(self, core: FlowCore, outcome: OutcomeRecorder, factory: LivenessFactory) -> None:
        self.core = core
        self.outcome = outcome
        self.factory = factory

    def start(self) -> None:
        """The check starts (FACE_READY); a session that observed the capture goes on."""
        a = self.core.attempt
        if a.bio.liveness is None:
            a.bio.liveness = self.factory(liveness_level(self.core.settings, a.purpose))

    def observe(self, face: Face | None, n_faces: int, image: np.ndarray, now: float) -> None:
        """A CAPTURE frame (no face yet good enough to start the check): a passive-level
        session gathers motion evidence from it (LivenessSession.observe). Only sessions
        that can observe get one this early (not "off", the challenge or test doubles)."""
        a = self.core.attempt
        if liveness_level(self.core.settings, a.purpose) != "passive":
            return
        if a.bio.liveness is None:
            if face is None:
                return  # nobody to watch yet
            a.bio.liveness = self.factory("passive")
        observe = getattr(a.bio.liveness, "observe", None)
        if observe is not None:
            observe(face, n_faces, image, now)

    def update(self, face: Face | None, n_faces: int, image: np.ndarray, now: float) -> None:
        bio = self.core.attempt.bio
        if bio.liveness is None:
            return
        st = bio.liveness.update(face, n_faces, image, now)
        bio.liveness_status = st.status
        bio.liveness_prompt = st.prompt
        bio.liveness_progress = float(st.progress)
        # The same prompt asked again after a wrong move: the UI says "the other way".
        bio.liveness_retry = (
            st.status == "pending"
            and str(st.reason) == "WRONG_ACTION"
            and str(st.prompt) in LIVENESS_PROMPTS  # not while guidance is shown
        )
        verdicts = getattr(st, "verdicts", None)
        bio.liveness_verdicts = {str(k): str(v) for k, v in (verdicts or {}).items()}
        if st.status == "failed":
            reason = str(st.reason or "")
            restart = _last_restart(bio.liveness)
            extra = _layers(reason, verdicts, restart)
            self.outcome.fail(error_for(reason, restart), now, detail=reason, extra=extra)


def _last_restart(session: LivenessLike) -> str | None:
    # Not part of LivenessLike: only the real session restarts (scripted doubles do not).
    value = getattr(session, "last_reason", None)
    return None if value is None else str(value)


def _layers(
    reason: str, verdicts: Mapping[str, str] | None, restart: str | None
) -> dict[str, object]:
    """Event-log extra of a failed check: the deciding layer and each layer's verdict."""
    extra: dict[str, object] = {"layer": LAYER_FOR_REASON.get(reason, "other")}
    if verdicts:
        extra["verdicts"] = {str(k): str(v) for k, v in verdicts.items()}
    if reason == "TOO_MANY_RESTARTS" and restart:
        extra["last_restart"] = restart
    return extra
