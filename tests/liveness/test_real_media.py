"""The detectors and the session on real recordings of real people (../shared/liveness)."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from facekiosk.engine.liveness import Action, LivenessSession, Reason
from facekiosk.engine.liveness.blink import BlinkDetector
from facekiosk.engine.liveness.challenge import ChallengeLimits, MoveDetector, random_sequence
from facekiosk.engine.liveness.geometry import homography_residual
from facekiosk.engine.liveness.media import video_frames
from facekiosk.engine.liveness.observation import Observation
from facekiosk.settings import LivenessSettings

pytestmark = pytest.mark.dataset


def _observations(engine, path: Path, *, fps: float | None, seconds: float):
    """(frame index, Observation) for the frames with exactly one face."""
    out = []
    for i, (t, frame) in enumerate(video_frames(path, fps=fps, max_seconds=seconds)):
        faces = engine.detect(frame)
        if len(faces) == 1:
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            obs = Observation.from_face(faces[0], t, grey)
            if obs is not None:
                out.append((i, obs))
    return out


def _runs(labels: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.r_[0, labels, 0]))
    return list(zip(edges[::2], edges[1::2], strict=True))


def test_blinks_found_where_the_ground_truth_says(engine, shared_liveness):
    """Every frame of the 17 fps clip's first 25 s against its hand-labelled blinks."""
    clip = shared_liveness / "videos" / "live_blink_gt_mahie_17fps.avi"
    truth = np.loadtxt(clip.with_suffix(".blinks.csv"), delimiter=",").astype(int)
    obs = _observations(engine, clip, fps=None, seconds=25.0)
    n = obs[-1][0] + 1
    blinks = _runs(truth[:n])
    detector = BlinkDetector()
    found_frames = []
    for i, o in obs:
        if detector.update(o.ear, o.t, o.patch):
            found_frames.append(i)
    # A blink is reported when the eyes reopen: up to 4 frames after the labelled run.
    matched = {b for b in blinks for f in found_frames if b[0] <= f <= b[1] + 4}
    false = [f for f in found_frames if not any(b[0] <= f <= b[1] + 4 for b in blinks)]
    usable = [b for b in blinks if b[0] >= 5]  # the detector needs a few open frames first
    assert len(usable) >= 4
    recall = len(matched & set(usable)) / len(usable)
    assert recall >= 0.75, (blinks, found_frames)
    assert len(false) <= 1, (blinks, found_frames)


@pytest.mark.parametrize(
    ("clip", "seconds", "expected"),
    [
        ("live_head_shake_zulkhuu.mp4", 3.5, {Action.TURN_LEFT, Action.TURN_RIGHT}),
        ("live_head_nod_zulkhuu.mp4", 8.0, {Action.LOOK_UP, Action.LOOK_DOWN}),
        (
            "live_head_moves_luyt.mp4",
            16.0,
            {Action.TURN_LEFT, Action.TURN_RIGHT, Action.LOOK_UP, Action.LOOK_DOWN},
        ),
    ],
)
def test_head_moves_found_in_the_turn_clips(engine, shared_liveness, clip, seconds, expected):
    obs = [
        o
        for _, o in _observations(
            engine, shared_liveness / "videos" / clip, fps=10, seconds=seconds
        )
    ]
    rest = obs[0]
    found = set()
    moves = MoveDetector(ChallengeLimits())
    for o in obs[1:]:
        move = moves.update(o, rest)
        if move is not None and homography_residual(rest.points, o.points) >= 0.05:
            found.add(move)
    assert found == expected


def _play(engine, path: Path, session: LivenessSession, seconds: float = 20.0):
    state = None
    for t, frame in video_frames(path, fps=10, max_seconds=seconds):
        faces = engine.detect(frame)
        state = session.update(faces[0] if faces else None, len(faces), frame, t)
        if state.status != "pending":
            break
    return state


def _seed(first: Action, second: Action) -> int:
    return next(
        s for s in range(1000) if random_sequence(random.Random(s), 2)[:2] == [first, second]
    )


def test_replayed_recording_fails_a_challenge_in_another_order(engine, shared_liveness):
    """The clip turns left, then right, then looks down and up. Asked for the reverse
    order, the recording does the wrong move first: it is asked again (a person may
    confuse left and right) and does not get through; in its own order it would pass,
    which is why the order is random (and why the model layer exists)."""
    clip = shared_liveness / "videos" / "live_head_moves_luyt.mp4"
    settings = LivenessSettings()
    other = LivenessSession(
        "challenge",
        settings,
        random.Random(_seed(Action.TURN_RIGHT, Action.TURN_LEFT)),
        use_model=False,  # the order check alone (the model would say live: it is a person)
    )
    states = []
    for t, frame in video_frames(clip, fps=10, max_seconds=20.0):
        faces = engine.detect(frame)
        states.append(other.update(faces[0] if faces else None, len(faces), frame, t))
        if states[-1].status != "pending":
            break
    assert any(s.status == "pending" and s.reason is Reason.WRONG_ACTION for s in states)
    assert states[-1].status != "passed"
    same = LivenessSession(
        "challenge",
        settings,
        random.Random(_seed(Action.TURN_LEFT, Action.TURN_RIGHT)),
        use_model=False,
    )
    _play(engine, clip, same)
    assert same.challenge is not None and same.challenge.step >= 2


@pytest.mark.parametrize(
    "clip",
    [
        "live_blink_gt_mahie_17fps.avi",
        "live_talking_selfie_lp_d13.mp4",
        "live_head_shake_zulkhuu.mp4",
        "live_head_moves_luyt.mp4",
    ],
)
def test_genuine_people_pass_passive(engine, shared_liveness, clip):
    session = LivenessSession("passive", LivenessSettings(), random.Random(0))
    state = _play(engine, shared_liveness / "videos" / clip, session, seconds=8.0)
    assert state is not None and state.status == "passed", state
