"""A real photo held up to the camera (jittered, rotated, scaled) must never pass."""

from __future__ import annotations

import random

import pytest

from facekiosk.engine.liveness import LivenessSession
from facekiosk.engine.liveness.media import NO_JITTER, STILL_JITTER, still_frames
from facekiosk.settings import LivenessSettings


def _present(engine, frames, level: str, seed: int = 0):
    session = LivenessSession(level, LivenessSettings(), random.Random(seed))
    state = None
    for t, frame in frames:
        faces = engine.detect(frame)
        state = session.update(faces[0] if faces else None, len(faces), frame, t)
        if state.status != "pending":
            break
    return state


@pytest.mark.parametrize("level", ["passive", "challenge"])
@pytest.mark.parametrize(
    ("jitter", "rotation", "scale"),
    [(STILL_JITTER, 0.0, 0.8), (NO_JITTER, 0.0, 0.8), (STILL_JITTER, 12.0, 0.6)],
    ids=["jitter", "steady", "rotated-small"],
)
def test_tom_hanks_photo_fails(engine, tom_hanks_image, level, jitter, rotation, scale):
    frames = still_frames(
        tom_hanks_image,
        seconds=14.0,
        fps=8.0,
        jitter=jitter,
        base_rotation_deg=rotation,
        base_scale=scale,
    )
    state = _present(engine, frames, level)
    assert state is not None
    assert state.status == "failed", state
    assert state.reason is not None
