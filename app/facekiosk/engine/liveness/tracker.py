"""One continuously tracked face: box overlap frame to frame and a stable identity.

The challenge is only worth something if the same person does all of it, so any
break (second face, a jump to another person's face, long gap, another embedding) is
reported and the track restarts from the current face.
"""

from __future__ import annotations

from facekiosk.engine.liveness.codes import Reason
from facekiosk.engine.types import Embedding, Face, box_iou

MAX_GAP_S = 0.7  # detector misses shorter than this do not break the track
# A gap with no frame analysed at all (the engine was busy: a cold first call, a loaded
# machine) is not a detector miss: the face is judged by where it is when frames come
# again. Measured in the real window (capture thread -> inference worker -> engine
# process) on luyt's live clip: the first analysed frame after "Check in" took 1.9 s on a
# quiet machine and 8.8 s with the kiosk on a third of a core (the engine loads its
# embedding and anti-spoofing models on that call), the next one then
# restarted the checks as TRACK_LOST (their evidence thrown away, one of max_restarts used).
# Identity is compared on faces not looking far up or down: in the real window luyt looking
# up 33-34 degrees fell below the same-person threshold against his frontal first frame
# (FACE_CHANGED, a real person's check restarted; a fourth restart after it would read as
# an identity swap). Pitch as the sign-in quality gate allows (30); yaw up to where the
# detectors lose a face (~45), so a swap from a turned face (t1's face 0, yaw -43) is seen.
# A face is another person only when it is unlike both the track's first face and the
# face of the previous identity frame: a real head turns gradually, a swap is abrupt.
# Against the first face alone, zubair turning ~40 deg in his live clip fell below the
# match threshold (0.7411) 8 times in 599 comparisons over 10 flow sign-ins (min 0.703),
# restarting a real person's check (FACE_CHANGED, and after max_restarts an identity-swap
# PAD_ATTACK); frame to frame the same person stays far above it.
IDENTITY_MAX_YAW = 45.0
IDENTITY_MAX_PITCH = 30.0
MIN_IOU = 0.25  # consecutive boxes must overlap this much (a head turn keeps ~0.6+)


class FaceTrack:
    def __init__(
        self,
        same_person_threshold: float | None = None,
        *,
        max_gap_s: float = MAX_GAP_S,
        min_iou: float = MIN_IOU,
    ) -> None:
        self.same_person_threshold = same_person_threshold
        self.max_gap_s = max_gap_s
        self.min_iou = min_iou
        self.reset()

    def reset(self) -> None:
        self.active = False
        self.started_at = 0.0
        self.last_seen = 0.0
        self.last_frame = float("-inf")  # the last analysed frame, with or without a face
        self.last_box: tuple[float, float, float, float] | None = None
        self.reference: Embedding | None = None
        self.previous: Embedding | None = None  # the last identity frame's embedding
        self.min_similarity = 1.0

    def _start(self, face: Face, t: float) -> None:
        self.reset()
        self.active = True
        self.started_at = t
        self.last_seen = self.last_frame = t
        self.last_box = face.bbox
        self.reference = face.embedding if _identity_pose(face) else None
        self.previous = self.reference

    def same_person(self, embedding: Embedding) -> bool:
        """Is `embedding` the tracked identity? True when no reference or threshold yet."""
        if self.reference is None or self.same_person_threshold is None:
            return True
        return self.reference.similarity(embedding) >= self.same_person_threshold

    def update(self, face: Face | None, n_faces: int, t: float) -> Reason | None:
        """Feed one frame; returns the reason when the previous track broke, else None."""
        # No analysed frame between the last sighting and this one: the pipeline stalled,
        # the detector did not miss the face (see MAX_GAP_S).
        stalled = self.last_frame <= self.last_seen
        self.last_frame = t
        if n_faces > 1:
            was_active = self.active
            self.reset()
            return Reason.MULTIPLE_FACES if was_active else None
        if face is None:
            if self.active and t - self.last_seen > self.max_gap_s:
                self.reset()
                return Reason.TRACK_LOST
            return None
        if not self.active:
            self._start(face, t)
            return None
        broken: Reason | None = None
        missed = t - self.last_seen > self.max_gap_s and not stalled
        jumped = self.last_box is not None and box_iou(self.last_box, face.bbox) < self.min_iou
        # A jump by the same person (their vector like the previous identity frame's) is a
        # fast head seen by a slow kiosk, not someone else (kiosk/steps/track.same_track).
        if missed or (jumped and not self._like_previous(face)):
            broken = Reason.TRACK_LOST
        elif face.embedding is not None and _identity_pose(face):
            if self.reference is None:
                self.reference = face.embedding
            else:
                sim = self.reference.similarity(face.embedding)
                self.min_similarity = min(self.min_similarity, sim)
                if not self.same_person(face.embedding) and not self._like_previous(face):
                    broken = Reason.FACE_CHANGED
            self.previous = face.embedding
        if broken is not None:
            self._start(face, t)
            return broken
        self.last_seen = t
        self.last_box = face.bbox
        return None

    def _like_previous(self, face: Face) -> bool:
        if self.previous is None or face.embedding is None or self.same_person_threshold is None:
            return False
        return self.previous.similarity(face.embedding) >= self.same_person_threshold


def _identity_pose(face: Face) -> bool:
    """Is the face frontal enough for its embedding to speak for the identity?"""
    pose = face.pose
    return pose is None or (
        abs(pose.yaw) <= IDENTITY_MAX_YAW and abs(pose.pitch) <= IDENTITY_MAX_PITCH
    )
