"""What an enrollment accumulates frame by frame: the template frames. Pure bookkeeping;
the session decides what happens next (the sign-in streak is in match_policy)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facekiosk.engine.types import Embedding

TEMPLATE_MIN_INTERVAL_S = 0.25  # template frames at least this far apart
TEMPLATE_POSE_STEP_DEG = 2.0  # ...and this different in yaw/pitch from the others,
TEMPLATE_POSE_WAIT_S = 0.6  # unless nobody moved for this long (still accepted)


@dataclass
class TemplateFrames:
    """Enrollment frames across small pose changes, all of the person who passed liveness."""

    needed: int
    threshold: float  # a frame less similar than this to the anchor is someone else
    anchor: Embedding | None = None  # the face seen just before liveness
    embeddings: list[Embedding] = field(default_factory=list)
    poses: list[tuple[float, float]] = field(default_factory=list)
    last_t: float = float("-inf")
    seen_pose: tuple[float, float] | None = None  # the pose of the latest TEMPLATE frame

    def wants(self, pose: tuple[float, float], now: float) -> bool | None:
        """True: take this frame. False: too soon. None: waiting for a small pose change."""
        if now - self.last_t < TEMPLATE_MIN_INTERVAL_S:
            return False
        moved = all(
            max(abs(pose[0] - y), abs(pose[1] - p)) >= TEMPLATE_POSE_STEP_DEG for y, p in self.poses
        )
        if not moved and now - self.last_t < TEMPLATE_POSE_WAIT_S:
            return None
        return True

    def worth_embedding(self, now: float) -> bool:
        """Would the next frame be taken? Judged before the frame is analysed, so by the
        pose of the latest frame (people move smoothly from frame to frame): a frame that
        is too soon, or still waiting for a pose change, is not embedded at all. A wrong
        guess costs one frame's delay or one unused embedding."""
        if self.seen_pose is None:
            return now - self.last_t >= TEMPLATE_MIN_INTERVAL_S
        return self.wants(self.seen_pose, now) is True

    def add(self, embedding: Embedding, pose: tuple[float, float], now: float) -> bool:
        """Keep the frame; False (nothing kept) when it is not the same person."""
        reference = self.anchor or (self.embeddings[0] if self.embeddings else None)
        if reference is not None and embedding.similarity(reference) < self.threshold:
            return False
        self.embeddings.append(embedding)
        self.poses.append(pose)
        self.last_t = now
        return True

    @property
    def done(self) -> bool:
        return len(self.embeddings) >= self.needed

    @property
    def progress(self) -> float:
        return min(1.0, len(self.embeddings) / self.needed)

    def mean(self) -> Embedding:
        """The template for the duplicate check (the vault averages the same way)."""
        first = self.embeddings[0]
        return Embedding(
            np.mean([e.vector for e in self.embeddings], axis=0), first.engine, first.model
        )

    def held(self) -> int:
        return len(self.embeddings) + (self.anchor is not None)
