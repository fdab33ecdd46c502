"""The detectors on sequences with known blinks and turns (no camera, no model)."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from facekiosk.engine.liveness import Action, Reason
from facekiosk.engine.liveness.blink import BlinkDetector
from facekiosk.engine.liveness.challenge import ActiveChallenge, ChallengeLimits, random_sequence
from facekiosk.engine.liveness.geometry import homography_residual, similarity_residual
from facekiosk.engine.liveness.observation import Observation
from tests.liveness import synth

FPS = 15.0


def _ear_series(blinks_at: list[float], seconds: float, seed: int = 0, closed_s: float = 0.2):
    rng = np.random.default_rng(seed)
    t = np.arange(0, seconds, 1 / FPS)
    ear = 0.30 + rng.normal(0, 0.008, t.shape)
    for b in blinks_at:
        ear[(t >= b) & (t < b + closed_s)] = 0.08
    return t, ear


def test_blinks_found_where_they_happen():
    truth = [1.5, 3.2, 5.0, 7.7]
    t, ear = _ear_series(truth, 9.0)
    detector = BlinkDetector()
    for ti, e in zip(t, ear, strict=True):
        detector.update(float(e), float(ti))
    assert len(detector.blinks) == len(truth)
    # Reported when the eyes reopen: just after the closure.
    for found, expected in zip(detector.blinks, truth, strict=True):
        assert expected < found <= expected + 0.4


def test_noise_and_long_closure_are_not_blinks():
    t, ear = _ear_series([], 8.0, seed=3)
    detector = BlinkDetector()
    for ti, e in zip(t, ear, strict=True):
        detector.update(float(e), float(ti))
    assert detector.blinks == []
    t, ear = _ear_series([2.0], 6.0, closed_s=1.5)  # eyes shut 1.5 s: not a blink
    detector = BlinkDetector()
    for ti, e in zip(t, ear, strict=True):
        detector.update(float(e), float(ti))
    assert detector.blinks == []


def test_blink_pixels_must_change():
    """EAR dips whose eye pixels do not change (landmark flicker on a photo) do not count."""
    rng = np.random.default_rng(0)
    still = synth.render(synth.head_points())  # the same picture every frame
    grey = still[:, :, 1]
    detector = BlinkDetector()
    for i in range(60):
        eyes = 0.15 if i in (30, 31) else 1.0  # the *landmarks* say the eyes closed
        pts = synth.noisy(synth.head_points(eyes_open=eyes), rng, 0.2)
        obs = Observation.from_face(synth.face(pts, 0, 0), i / FPS, grey)
        assert obs is not None
        detector.update(obs.ear, obs.t, obs.patch)
    assert detector.blinks == []
    assert detector.unconfirmed == 1


def test_parallax_separates_heads_from_sheets():
    frontal = synth.head_points()
    turned = synth.head_points(yaw=20)
    sheet = synth.sheet_points(tilt=1.0)
    assert similarity_residual(frontal, sheet) > 0.05  # the sheet moved out of plane ...
    assert homography_residual(frontal, sheet) < 0.005  # ... exactly like a plane does
    assert homography_residual(frontal, turned) > 0.05  # a head shows parallax


def _obs(yaw: float, pitch: float, t: float, eyes: float = 1.0) -> Observation:
    face = synth.face(synth.head_points(yaw, pitch, eyes), yaw, pitch)
    obs = Observation.from_face(face, t)
    assert obs is not None
    return obs


def _run(challenge: ActiveChallenge, moves: dict[Action, tuple[float, float]], seconds: float):
    """Answer each prompt with the given (yaw, pitch) for 0.5 s, then return to neutral."""
    t, answered = 0.0, None
    while t < seconds and not challenge.done and challenge.failure is None:
        prompt = challenge.prompt
        if prompt is not None and answered != challenge.prompt_at:  # each prompt shown once
            answered = challenge.prompt_at
            yaw, pitch = moves[prompt]
            for _ in range(8):
                challenge.update(_obs(yaw, pitch, t), t)
                t += 1 / FPS
        challenge.update(_obs(0, 0, t), t)
        t += 1 / FPS


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.BLINK])
def test_each_head_action_detected_with_person_centred_signs(action):
    moves = {
        Action.TURN_LEFT: (25.0, 0.0),  # the person's own left: yaw > 0 (engine/types.Pose)
        Action.TURN_RIGHT: (-25.0, 0.0),
        Action.LOOK_UP: (0.0, 18.0),
        Action.LOOK_DOWN: (0.0, -18.0),
    }
    challenge = ActiveChallenge([action], random.Random(1))
    _run(challenge, moves, 10.0)
    assert challenge.done and challenge.failure is None


def test_opposite_turn_is_a_wrong_action():
    challenge = ActiveChallenge([Action.TURN_LEFT], random.Random(1))
    mirrored = {Action.TURN_LEFT: (-25.0, 0.0)}  # what a mirror-confused detector would want
    _run(challenge, mirrored, 10.0)
    # The first wrong turn asks again (retry); the second one fails.
    assert challenge.wrong == 2
    assert challenge.failure is Reason.WRONG_ACTION


def test_no_answer_times_out():
    challenge = ActiveChallenge([Action.LOOK_UP], random.Random(1), ChallengeLimits(2.0))
    t = 0.0
    while t < 6.0 and challenge.failure is None:
        challenge.update(_obs(0, 0, t), t)
        t += 1 / FPS
    assert challenge.failure is Reason.CHALLENGE_TIMEOUT
    assert 2.0 <= t <= 2.0 + 1.4 + 0.2  # limit after the prompt, which comes after a pause


def test_turned_sheet_is_not_a_turn():
    """A photo rotated about its vertical axis can fool the pose estimate, not parallax."""
    challenge = ActiveChallenge([Action.TURN_LEFT], random.Random(1), ChallengeLimits(2.0))
    t = 0.0
    while t < 6.0 and challenge.failure is None and not challenge.done:
        pts = synth.sheet_points(1.0) if challenge.prompt else synth.head_points()
        yaw = 25.0 if challenge.prompt else 0.0  # the pose estimator is fooled ...
        obs = Observation.from_face(synth.face(pts, yaw, 0.0), t)
        assert obs is not None
        challenge.update(obs, t)
        t += 1 / FPS
    # ... the landmarks (nose vs jaw) and the parallax check are not.
    assert not challenge.done
    assert challenge.failure is Reason.CHALLENGE_TIMEOUT


def test_sequences_are_random_and_distinct():
    rng = random.Random(7)
    seqs = [tuple(random_sequence(rng, 2)) for _ in range(200)]
    assert all(len(set(s)) == len(s) and 2 <= len(s) <= 3 for s in seqs)
    assert len(set(seqs)) > 40  # 5*4 + 5*4*3 = 80 possible orders
    assert {len(s) for s in seqs} == {2, 3}


def test_screen_cues_see_a_border_and_glare():
    """The cue measures respond to what they claim to measure (they report, not decide)."""
    from facekiosk.engine.liveness.screen_cues import frame_cues

    pts = synth.head_points()
    plain = synth.render(pts)
    framed = plain.copy()
    cv2.rectangle(framed, (200, 100), (440, 400), (20, 20, 20), 6)  # a phone bezel
    glare = plain.copy()
    cv2.circle(glare, (320, 260), 25, (255, 255, 255), -1)
    face = synth.face(pts, 0.0, 0.0)
    base = frame_cues(plain, face)
    assert frame_cues(framed, face)["border"] > base["border"] + 1.0
    assert frame_cues(glare, face)["specular"] > base["specular"] + 0.02
