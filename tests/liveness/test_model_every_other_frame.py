"""The anti-spoofing model scored on every other frame at 10 fps (session.wants_antispoof,
asked by kiosk/frame_plan.py): half the model's cost, the verdicts as soon as before.
Real engine, real clips; skipped without ../shared."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from facekiosk.engine.liveness import LivenessSession, Reason
from facekiosk.engine.liveness import session as session_mod
from facekiosk.engine.liveness.antispoof import load_antispoof
from facekiosk.engine.liveness.media import video_frames
from facekiosk.engine.liveness.model_evidence import ModelEvidence
from facekiosk.settings import LivenessSettings


def _run(engine, clip: Path, every_frame: bool, monkeypatch) -> tuple[object, float, int, int]:
    """(final state, seconds to it, frames, model calls) with the model asked as the kiosk asks."""
    if every_frame:
        monkeypatch.setattr(session_mod, "MODEL_EVERY_S", 0.0)
    else:
        monkeypatch.undo()
    scorer = load_antispoof()
    session = LivenessSession("passive", LivenessSettings(), random.Random(1))
    state, t0, frames, calls = None, None, 0, 0
    for t, frame in video_frames(clip, fps=10.0, max_seconds=6.0):
        t0 = t if t0 is None else t0
        faces = engine.detect(frame)
        face = faces[0] if len(faces) == 1 else None
        if face is not None and session.wants_antispoof(t):
            face.extras["antispoof"] = scorer.score(frame, face)
            calls += 1
        state = session.update(face, len(faces), frame, t)
        frames += 1
        if state.status != "pending":
            break
    return state, t - t0, frames, calls


@pytest.mark.parametrize(
    "clip, status",
    [("attack_replay_monitor_luyt.mp4", "failed"), ("live_head_shake_zulkhuu.mp4", "passed")],
)
def test_every_other_frame_decides_as_soon_as_every_frame(
    engine, shared_liveness, monkeypatch, clip, status
):
    path = Path(shared_liveness) / "videos" / clip
    every, t_every, _, calls_every = _run(engine, path, True, monkeypatch)
    other, t_other, frames, calls_other = _run(engine, path, False, monkeypatch)
    assert every.status == other.status == status, (every, other)
    if status == "failed":
        assert every.reason is other.reason is Reason.MODEL_SPOOF
    assert abs(t_other - t_every) <= 0.11, (t_every, t_other)  # at most one frame later
    # frames turned beyond the model's pose window are not scored either way
    assert calls_other <= calls_every // 2 + 1 and calls_other <= frames // 2 + 1, (
        calls_every,
        calls_other,
        frames,
    )


def test_a_frame_not_scored_on_purpose_is_not_too_close():
    """Skipped frames leave the model's evidence alone: only a frame the session wanted
    judged and could not be (the face fills the frame) counts toward STEP_BACK."""
    session = LivenessSession("passive", LivenessSettings(), random.Random(0))
    session.model = ModelEvidence()
    session.model.update(0.9, 0.0)
    assert not session.wants_antispoof(0.1) and session.wants_antispoof(0.15)
    session._last_frontal = False  # the last face was turned: the model would not be read
    assert not session.wants_antispoof(0.3)
    assert session.model.unjudged_run == 0
