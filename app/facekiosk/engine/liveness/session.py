"""One liveness decision for one person at the kiosk: feed frames, read the state.

Levels: "off" passes at once; "challenge" runs the active challenge from the
first tracked frame; "passive" passes on passive evidence of a live face
(a blink, or sustained 3-D parallax/deformation) and escalates to the
challenge when the evidence is still missing after `passive_window_s` (a
genuine but very still person then gets prompts instead of a rejection).
Hard failures at any level: a frozen feed (STILL_IMAGE), a face moving like a
flat sheet (PLANAR_MOTION), screen/print cues (SCREEN_CUES) and the
insightface addon's verdict (ADDON_SPOOF).

Pure Python, no Qt; time comes from the caller so tests can use a fake clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import cv2
import numpy as np

from facekiosk.engine.liveness.addon import AddonScorer, LivenessAddon
from facekiosk.engine.liveness.challenge import ActiveChallenge, ChallengeLimits, random_sequence
from facekiosk.engine.liveness.codes import Action, Level, Reason, Status
from facekiosk.engine.liveness.observation import Observation
from facekiosk.engine.liveness.passive import PassiveAnalyzer, PassiveVerdict
from facekiosk.engine.liveness.screen_cues import CueAccumulator
from facekiosk.engine.liveness.tracker import FaceTrack
from facekiosk.engine.types import Embedding, Face, validate_image
from facekiosk.settings import LivenessSettings

MIN_PASSIVE_S = 1.0  # passive evidence must come from at least this long a track
FROZEN_FAIL_FRAMES = 5  # identical face crops in a row = a frozen or injected feed
STILL_MOTION = 0.02  # IOD: less landmark motion than this over a track = a photo on a stand
CROP_SIZE = 32  # grey face patch for the frozen-feed check


@dataclass(frozen=True)
class LivenessState:
    status: Status
    prompt: Action | None = None
    progress: float = 0.0
    reason: Reason | None = None
    scores: dict[str, float] = field(default_factory=dict)


class LivenessSession:
    def __init__(
        self,
        level: Level,
        settings: LivenessSettings,
        rng: random.Random | None = None,
        *,
        addon: LivenessAddon | None = None,
        same_person_threshold: float | None = None,
    ) -> None:
        """`addon`: insightface's Liveness model (see addon.load_addon) or None.
        `same_person_threshold`: the engine's cosine threshold; with it, embeddings on
        the frames restart the challenge when the identity changes (FACE_CHANGED)."""
        if level not in ("off", "passive", "challenge"):
            raise ValueError(f"liveness level must be off, passive or challenge, not {level!r}")
        self.level: Level = level
        self.settings = settings
        self.rng = rng or random.SystemRandom()
        self.limits = ChallengeLimits(
            action_timeout_s=settings.action_timeout_s,
            turn_deg=settings.turn_degrees,
            look_deg=settings.look_degrees,
            total_timeout_s=settings.challenge_timeout_s,
        )
        self.track = FaceTrack(same_person_threshold)
        self.passive = PassiveAnalyzer()
        self.cues = CueAccumulator()
        self.addon = AddonScorer(addon, settings.addon_threshold) if addon is not None else None
        self.reset()

    def reset(self) -> None:
        self.track.reset()
        self.passive.reset()
        self.cues.reset()
        if self.addon is not None:
            self.addon.reset()
        self.challenge: ActiveChallenge | None = None
        self.escalated = self.level == "challenge"
        self.restarts = 0
        self.last_reason: Reason | None = None
        self.final: LivenessState | None = None
        self.decided_at: float | None = None
        self._verdict: PassiveVerdict | None = None
        self._motion_max = 0.0

    @property
    def identity(self) -> Embedding | None:
        """The tracked person's first embedding: match/enrol results must agree with it."""
        return self.track.reference

    def same_person(self, embedding: Embedding) -> bool:
        """True when `embedding` is the person who did the liveness check."""
        return self.track.same_person(embedding)

    # -- the frame loop -------------------------------------------------------

    def update(self, face: Face | None, n_faces: int, image: np.ndarray, t: float) -> LivenessState:
        if self.level == "off":
            return LivenessState("passed", progress=1.0)
        if self.final is not None:
            return self.final
        broke = self.track.update(face, n_faces, t)
        if broke is not None:
            self.restarts += 1
            self.last_reason = broke
            if self.restarts > self.settings.max_restarts:
                return self._fail(Reason.TOO_MANY_RESTARTS, t)
            self._restart_checks()
        if face is None or n_faces != 1 or not self.track.active:
            if self.challenge is not None:
                self.challenge.update(None, t)
                if self.challenge.failure is not None:
                    return self._fail(self._explain(self.challenge.failure), t)
            return self._pending()
        image = validate_image(image)
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        obs = Observation.from_face(face, t, grey)
        if obs is None:
            raise ValueError("liveness needs an engine with 68-point landmarks (face.landmarks)")
        verdict = self.passive.update(obs, _grey_crop(grey, face))
        self._verdict = verdict
        self._motion_max = max(self._motion_max, verdict.scores["motion"])
        self.cues.update(image, face)
        if self.addon is not None:
            self.addon.update(image, face)

        failure = self._hard_failure(verdict)
        if failure is not None:
            return self._fail(failure, t)
        if self.level == "passive":
            # Passive evidence counts even after prompts appeared: it is evidence all the same.
            elapsed = t - self.track.started_at
            if verdict.live and elapsed >= MIN_PASSIVE_S and self._extras_ok():
                return self._pass(t)
            if elapsed >= self.settings.passive_window_s:
                self.escalated = True
        if self.escalated:
            if self.challenge is None:
                self.challenge = self._new_challenge()
            self.challenge.update(obs, t)
            if self.challenge.failure is not None:
                return self._fail(self._explain(self.challenge.failure), t)
            if self.challenge.done and self._extras_ok():
                return self._pass(t)
        return self._pending()

    # -- helpers ----------------------------------------------------------------

    def _new_challenge(self) -> ActiveChallenge:
        actions = random_sequence(self.rng, self.settings.challenge_actions)
        return ActiveChallenge(actions, self.rng, self.limits)

    def _restart_checks(self) -> None:
        self._motion_max = 0.0
        self.passive.reset()
        self.cues.reset()
        if self.addon is not None:
            self.addon.reset()
        if self.challenge is not None:  # a new person or a new attempt: a new sequence
            self.challenge = self._new_challenge()

    def _hard_failure(self, verdict: PassiveVerdict) -> Reason | None:
        if verdict.scores["frozen_frames"] >= FROZEN_FAIL_FRAMES:
            return Reason.STILL_IMAGE
        if verdict.planar:
            return Reason.PLANAR_MOTION
        if self.cues.spoof:
            return Reason.SCREEN_CUES
        if self.addon is not None and self.addon.spoof:
            return Reason.ADDON_SPOOF
        return None

    def _extras_ok(self) -> bool:
        """Cues and the addon (when installed) must not object and the addon must agree."""
        return self.addon is None or self.addon.live

    def _explain(self, failure: Reason) -> Reason:
        """A timed-out challenge is reported by what the passive checks saw, when telling."""
        if failure is Reason.CHALLENGE_TIMEOUT:
            if self._motion_max < STILL_MOTION:
                return Reason.STILL_IMAGE
            if self.challenge is not None and self.challenge.planar_turns > 0:
                return Reason.PLANAR_MOTION
        return failure

    def _scores(self) -> dict[str, float]:
        scores = dict(self._verdict.scores) if self._verdict is not None else {}
        scores.update(self.cues.scores())
        if self.addon is not None:
            scores.update(self.addon.scores())
        scores["restarts"] = float(self.restarts)
        if self.challenge is not None:
            scores["challenge_steps"] = float(self.challenge.step)
        return scores

    def _progress(self) -> float:
        # Passive checks have nothing to show until they decide; the challenge counts steps.
        return self.challenge.progress if self.challenge is not None else 0.0

    def _pending(self) -> LivenessState:
        prompt = self.challenge.prompt if self.challenge is not None else None
        return LivenessState("pending", prompt, self._progress(), self.last_reason, self._scores())

    def _pass(self, t: float) -> LivenessState:
        self.decided_at = t
        self.final = LivenessState("passed", None, 1.0, None, self._scores())
        return self.final

    def _fail(self, reason: Reason, t: float) -> LivenessState:
        self.decided_at = t
        self.final = LivenessState("failed", None, self._progress(), reason, self._scores())
        return self.final


def _grey_crop(grey: np.ndarray, face: Face) -> np.ndarray | None:
    h, w = grey.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in face.bbox)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
    if x2 - x1 < 4 or y2 - y1 < 4:
        return None
    return cv2.resize(grey[y1:y2, x1:x2], (CROP_SIZE, CROP_SIZE), interpolation=cv2.INTER_AREA)
