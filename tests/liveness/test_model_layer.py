"""Each liveness layer refuses on its own, and the model layer's loader and crop rules.

The model layer (MiniFASNet) is what stops screens: a replay whose face blinks and turns
passes the motion layer. The motion layer is what stops paper: the model accepts prints.
"""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest

from facekiosk.engine import vendored
from facekiosk.engine.liveness import Action, LivenessSession, Reason, antispoof
from facekiosk.engine.liveness.antispoof import (
    AntiSpoofModelError,
    MiniFASNetScorer,
    context_crop,
    load_antispoof,
)
from facekiosk.engine.liveness.codes import Guidance
from facekiosk.engine.liveness.media import still_frames, video_frames
from facekiosk.engine.types import Face
from facekiosk.engine.vendored import VendoredModelError
from facekiosk.settings import LivenessSettings
from tests.liveness import synth
from tests.liveness.actor import FPS, Actor


def _session(level: str = "passive", seed: int = 0, **kw) -> LivenessSession:
    return LivenessSession(level, LivenessSettings(), random.Random(seed), **kw)  # type: ignore[arg-type]


# -- the model layer alone ----------------------------------------------------


def test_blinking_face_is_refused_when_the_model_says_screen():
    """The motion layer sees a live blink; the model's spoof verdict alone refuses it."""
    actor = Actor(_session(), antispoof=0.05)
    actor.hold(0.3)
    state = actor.act(Action.BLINK)
    assert state.status == "pending", state  # the blink cannot pass a face the model doubts
    # An attack verdict waits for SPOOF_SPAN_S of looking (model_evidence.py).
    state = actor.hold(2.0)
    assert state.status == "failed", state
    assert state.reason is Reason.MODEL_SPOOF
    assert state.verdicts["model"] == "spoof"
    # The same face and blink with a live model score passes: the refusal was the model's.
    actor = Actor(_session(), antispoof=0.97)
    actor.hold(1.2)
    state = actor.act(Action.BLINK)
    assert state.status == "passed", state
    assert state.verdicts == {"model": "live", "motion": "live"}


def test_a_few_spoof_frames_in_a_live_track_do_not_refuse():
    """~2 % of single live frames score spoof: the smoothed verdict ignores them."""
    session = _session()
    actor = Actor(session, antispoof=0.95)
    actor.hold(0.5)
    for _ in range(3):
        actor.frame(antispoof=0.02)
    actor.hold(0.3)
    state = actor.act(Action.BLINK)
    assert state.status == "passed", state


def test_replay_of_a_blinking_person_is_refused_by_the_model(engine, shared_liveness):
    """The monitor replay reproduces the genuine recording's blinks and head turns."""
    clip = shared_liveness / "videos" / "attack_replay_monitor_luyt.mp4"
    with_model, motion_only = _session(), _session(use_model=False)
    scorer = load_antispoof()
    state = old = None
    for t, frame in video_frames(clip, fps=10, max_seconds=4.0):
        faces = engine.detect(frame)
        face = faces[0] if faces else None
        if face is not None:
            face.extras["antispoof"] = scorer.score(frame, face)
        state = with_model.update(face, len(faces), frame, t)
        old = motion_only.update(face, len(faces), frame, t)
        if state.status != "pending":
            break
    assert state is not None and old is not None
    assert state.status == "failed" and state.reason is Reason.MODEL_SPOOF, state
    assert state.verdicts["motion"] not in ("planar", "frozen")  # motion did not refuse it
    assert old.status == "pending"  # the rules without the model had not refused it


# -- the motion layer alone ---------------------------------------------------


def test_print_turned_like_a_head_is_refused_by_the_geometry_alone():
    """The model accepts paper (real score 0.8-1.0): a sheet tilted to and fro like a
    turning head is refused by the motion layer while the model says live."""
    session = _session()
    rng = np.random.default_rng(0)
    state = None
    for i in range(int(4 * FPS)):
        tilt = float(np.sin(i / FPS * 2.5))  # a hand turning the print, ~2.5 rad/s
        pts = synth.noisy(synth.sheet_points(tilt), rng)
        face = synth.face(pts, 20.0 * tilt, 0.0, antispoof=0.95)
        state = session.update(face, 1, synth.render(pts), i / FPS)
        if state.status != "pending":
            break
    assert state is not None and state.status == "failed", state
    assert state.reason is Reason.PLANAR_MOTION
    assert state.verdicts == {"model": "live", "motion": "planar"}


def test_real_photo_the_model_calls_live_still_does_not_pass(engine, tom_hanks_image):
    scorer = load_antispoof()
    session = _session(seed=1)
    scores, state = [], None
    for t, frame in still_frames(tom_hanks_image, seconds=4.0, fps=10, seed=3):
        faces = engine.detect(frame)
        face = faces[0] if faces else None
        if face is not None:
            face.extras["antispoof"] = scorer.score(frame, face)
            scores.append(face.extras["antispoof"])
        state = session.update(face, len(faces), frame, t)
    assert state is not None and state.status != "passed", state
    assert scores  # the model judged the photo (whatever it said, paper is motion's job)


# -- too close: guidance, not a verdict ---------------------------------------


def test_face_too_close_for_the_model_asks_to_step_back():
    session = _session()
    actor = Actor(session, antispoof=None)  # the engine's model could not judge the face
    state = actor.hold(1.0)
    assert state.status == "pending"
    assert state.prompt is Guidance.STEP_BACK
    assert state.verdicts["model"] == "too_close"
    state = actor.act(Action.BLINK)  # live motion evidence is not enough without the model
    assert state.status == "pending" and state.prompt is Guidance.STEP_BACK


def test_scorer_declines_a_face_that_fills_the_frame():
    scorer = load_antispoof()
    image = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    kps = np.zeros((5, 2), np.float32)
    close = Face(bbox=(120.0, 20.0, 520.0, 460.0), score=1.0, kps=kps)
    far = Face(bbox=(280.0, 180.0, 360.0, 280.0), score=1.0, kps=kps)
    assert scorer.score(image, close) is None
    value = scorer.score(image, far)
    assert value is not None and 0.0 <= value <= 1.0


def test_real_clip_with_the_face_filling_the_frame_gets_step_back(engine, shared_liveness):
    clip = shared_liveness / "videos" / "live_talking_lowres_crop.mp4"
    session = _session()
    states = []
    for t, frame in video_frames(clip, fps=10, max_seconds=3.0):
        faces = engine.detect(frame)
        states.append(session.update(faces[0] if faces else None, len(faces), frame, t))
    assert all(s.status != "failed" for s in states)  # never a spoof verdict
    assert any(s.prompt is Guidance.STEP_BACK for s in states)


def test_context_crop_is_shifted_inside_the_frame():
    box = context_crop((480, 640, 3), (0.0, 0.0, 100.0, 100.0), 2.7)
    assert box is not None
    assert (box.x1, box.y1) == (0, 0) and box.x2 == 270 and box.y2 == 270
    assert box.context == pytest.approx(1.0)
    capped = context_crop((480, 640, 3), (200.0, 100.0, 440.0, 400.0), 2.7)
    assert capped is not None and capped.context == pytest.approx(479 / 300 / 2.7)


# -- the loader ---------------------------------------------------------------


def test_loader_refuses_a_tampered_model_file(tmp_path, monkeypatch):
    root = tmp_path / "models"
    shutil.copytree(vendored.models_root() / "minifasnet", root / "minifasnet")
    target = root / "minifasnet" / "2.7_80x80_MiniFASNetV2.onnx"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    monkeypatch.setattr(vendored, "models_root", lambda: root)
    monkeypatch.setattr(antispoof, "_cache", {})
    with pytest.raises(VendoredModelError, match="does not match its sha256"):
        load_antispoof(["CPUExecutionProvider"])


def test_loader_refuses_a_model_with_another_contract():
    yunet = vendored.load_vendored("yunet")
    path = yunet.path(next(iter(yunet.files)))
    with pytest.raises(AntiSpoofModelError, match=r"expected one input \[N, 3, 80, 80\]"):
        MiniFASNetScorer({path: 2.7}, ["CPUExecutionProvider"])


def test_the_model_judges_only_frames_that_face_the_camera():
    """luyt's live clip scored 0.2-0.4 turned 15-20 deg or looking up 36-44 deg and was
    called MODEL_SPOOF in 3 of 10 flow runs; frames like those no longer count."""
    from facekiosk.engine.liveness.model_evidence import ModelEvidence, judgeable_pose

    assert judgeable_pose(5.0, -8.0, 13.0)  # a frontal face with a natural tilt
    assert not judgeable_pose(-19.6, -0.6, 11.0)  # luyt at 8.0 s: 0.41
    assert not judgeable_pose(-2.3, 39.7, -4.3)  # luyt at 15.4 s: 0.19
    evidence = ModelEvidence()
    for yaw, score in [(2.0, 0.99)] * 5 + [(-19.6, 0.2)] * 6:
        if judgeable_pose(yaw, 0.0, 0.0):
            evidence.update(score)
    assert evidence.verdict == "live"
