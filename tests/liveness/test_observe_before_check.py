"""LivenessSession.observe: the kiosk's CAPTURE frames feed the motion layer before the
check starts (synthetic faces, fake clock). The check itself still decides, its prompt
clock starting at its first frame."""

from __future__ import annotations

import random

import numpy as np

from facekiosk.engine.liveness import Action, LivenessSession, Reason
from facekiosk.settings import LivenessSettings
from tests.liveness import synth
from tests.liveness.actor import FPS, Actor


def _session(level: str = "passive", seed: int = 0) -> LivenessSession:
    return LivenessSession(level, LivenessSettings(), random.Random(seed))  # type: ignore[arg-type]


def _first_decision(actor: Actor, seconds: float):
    """Still frontal frames through update() until decided or `seconds`: (state, t0)."""
    t0 = actor.t
    state = actor.frame()
    while state.status == "pending" and state.prompt is None and actor.t - t0 < seconds:
        state = actor.frame()
    return state, actor.t - t0


def test_a_blink_seen_before_the_check_passes_it_without_a_prompt():
    actor = Actor(_session())
    actor.observing = True
    actor.hold(0.6)
    actor.act(Action.BLINK)
    actor.observing = False
    state, took = _first_decision(actor, 1.0)
    assert state.status == "passed", state
    # as soon as the model has its verdict (5 judged frames, or 3 over 0.4 s)
    assert state.prompt is None and took <= 0.45, took
    assert state.scores["blinks"] >= 1


def test_without_the_observed_frames_the_same_check_waits():
    """The control: the check's own still frames carry no evidence, so it prompts."""
    actor = Actor(_session())
    state, took = _first_decision(actor, 3.0)
    assert state.status == "pending" and isinstance(state.prompt, Action), state
    assert took >= 1.0


def test_observing_decides_nothing_and_the_prompt_clock_starts_with_the_check():
    session = _session(seed=4)
    actor = Actor(session)
    actor.observing = True
    actor.hold(5.0)  # a still face for 5 s in CAPTURE (too far, say)
    assert session.final is None and session.challenge is None and not session.escalated
    actor.observing = False
    state, took = _first_decision(actor, 5.0)
    assert isinstance(state.prompt, Action), state
    # escalation at MODEL_LIVE_ESCALATE_S (1.0) of the check + the first pause (0.2-0.8)
    assert 1.0 <= took <= 1.9, took


def test_a_frozen_feed_observed_before_the_check_fails_it_at_once():
    session = _session()
    frame = np.full((480, 640, 3), 128, np.uint8)
    face = synth.face(synth.head_points(0.0, 0.0, 1.0), 0.0, 0.0, antispoof=0.97)
    for i in range(8):
        session.observe(face, 1, frame, i / FPS)
    state = session.update(face, 1, frame, 8 / FPS)
    assert state.status == "failed" and state.reason == Reason.STILL_IMAGE, state


def test_a_track_broken_while_observing_starts_again_without_a_restart():
    session = _session()
    actor = Actor(session)
    actor.observing = True
    actor.act(Action.BLINK)
    actor.frame(n_faces=2)  # a passer-by while the person walks up
    actor.hold(0.3)
    assert session.restarts == 0
    assert len(session.passive.blink.blinks) == 0  # the evidence went with the track
    actor.observing = False
    state = actor.frame()
    assert state.status == "pending" and session.restarts == 0


def test_the_challenge_level_does_not_observe():
    session = _session("challenge")
    actor = Actor(session)
    actor.observing = True
    actor.act(Action.BLINK)
    assert not session.track.active and session.checking_since is None
