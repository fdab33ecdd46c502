"""What a failed liveness check shows and logs: PAD_ATTACK only on evidence of an attack.

The real LivenessSession runs where still frames can reach the reason (the model layer's
MODEL_SPOOF, a frozen feed); its model score comes from a fixed stand-in scorer so the test
is about the kiosk's mapping, not about MiniFASNet. The reasons that need a moving head
(a wrong turn, a challenge not done, an unsure model after a finished challenge) come from
a scripted session that reports them as the real one does (status, reason, verdicts)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from facekiosk.engine.liveness import LivenessSession
from facekiosk.kiosk.codes import ErrorCode, State
from facekiosk.kiosk.liveness_port import LivenessOff, SimpleLivenessState
from facekiosk.kiosk.steps.liveness import error_for

from .conftest import Frame, flow_settings


class FixedScore:
    """The model layer's per-frame real-probability, fixed (AntiSpoofScorer)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def score(self, image, face):
        return self.value


class Scripted:
    """Reports one liveness outcome after `after` frames, as LivenessSession does."""

    def __init__(self, states, last_reason=None):
        self.states, self.last_reason, self.seen = list(states), last_reason, 0

    def update(self, face, n_faces, image, t):
        self.seen += 1
        return self.states[min(self.seen, len(self.states)) - 1]


def _scripted(states, last_restart=None):
    return lambda level: LivenessOff() if level == "off" else Scripted(states, last_restart)


def _real_factory(score: float, settings):
    def make(level):
        if level == "off":
            return LivenessOff()
        scorer = FixedScore(score)
        return LivenessSession(level, settings.liveness, random.Random(0), antispoof=scorer)

    return make


def _noisy(frame: Frame, n: int) -> list[Frame]:
    """The same still with fresh sensor noise per frame: not a frozen feed, no head motion."""
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        noise = rng.normal(0, 2.0, frame.image.shape)
        image = np.clip(frame.image.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        out.append(Frame(image, frame.faces))
    return out


def _signed_in(make_kiosk, people, factory, who="t1_0"):
    settings = flow_settings()
    settings.liveness.auth_level = "passive"
    k = make_kiosk(settings, liveness_factory=factory)
    k.enroll(people[who], pin=None)  # enroll_level "off"
    k.session.start_auth()
    return k


def test_model_spoof_is_an_attack_and_the_log_names_the_layer(make_kiosk, people):
    settings = flow_settings()
    # t1_2 faces the camera; the model judges frontal frames only (t1_0's head is tilted 30 deg)
    k = _signed_in(make_kiosk, people, _real_factory(0.05, settings), who="t1_2")
    k.feed(_noisy(people["t1_2"][0], 12), max_frames=12)
    view = k.session.view
    assert view.error == ErrorCode.PAD_ATTACK and view.result.detail == "MODEL_SPOOF"
    event = k.vault.events(kind="auth")[-1]
    assert event.reason == "PAD_ATTACK" and event.extra["detail"] == "MODEL_SPOOF"
    assert event.extra["layer"] == "model"
    assert event.extra["verdicts"]["model"] == "spoof"
    assert set(event.extra["verdicts"]) == {"model", "motion"}
    # nothing but short codes in the record: no image, no vector
    assert all(isinstance(v, str | dict | float) for v in event.extra.values())


def test_frozen_feed_is_an_attack_even_when_the_model_says_live(make_kiosk, people):
    settings = flow_settings()
    k = _signed_in(make_kiosk, people, _real_factory(0.95, settings))
    k.feed(people["t1_0"][:1], max_frames=12)  # the very same frame again and again
    view = k.session.view
    assert view.error == ErrorCode.PAD_ATTACK and view.result.detail == "STILL_IMAGE"
    event = k.vault.events(kind="auth")[-1]
    assert event.extra["layer"] == "motion" and event.extra["verdicts"]["motion"] == "frozen"


FAILED = "failed"
NOT_CONFIRMED, PAD = ErrorCode.LIVENESS_NOT_CONFIRMED, ErrorCode.PAD_ATTACK
LIVE_WEAK = {"model": "live", "motion": "weak"}


@pytest.mark.parametrize(
    ("reason", "verdicts", "last_restart", "code"),
    [
        ("WRONG_ACTION", LIVE_WEAK, None, NOT_CONFIRMED),
        ("MODEL_UNSURE", {"model": "unsure", "motion": "live"}, None, NOT_CONFIRMED),
        ("CHALLENGE_TIMEOUT", LIVE_WEAK, None, ErrorCode.TIMEOUT),
        ("TOO_MANY_RESTARTS", LIVE_WEAK, "TRACK_LOST", NOT_CONFIRMED),
        ("TOO_MANY_RESTARTS", LIVE_WEAK, "FACE_CHANGED", PAD),
        ("PLANAR_MOTION", {"model": "live", "motion": "planar"}, None, PAD),
        ("SCREEN_CUES", {"model": "unsure", "motion": "weak"}, None, PAD),
        ("ADDON_SPOOF", {"model": "live", "motion": "live"}, None, PAD),
    ],
)  # fmt: skip
def test_each_reason_maps_to_its_code_and_is_logged(
    make_kiosk, people, reason, verdicts, last_restart, code
):
    states = [
        SimpleLivenessState("pending", "TURN_LEFT", 0.0),
        SimpleLivenessState(FAILED, None, 0.0, reason, verdicts=verdicts),
    ]
    k = _signed_in(make_kiosk, people, _scripted(states, last_restart))
    k.feed(people["t1_0"], max_frames=10)
    view = k.session.view
    assert view.state == State.RESULT
    assert view.error == code and view.result.detail == reason
    assert view.message_key == f"error.{code.lower()}"
    event = k.vault.events(kind="auth")[-1]
    assert event.reason == code and event.extra["detail"] == reason
    assert event.extra["verdicts"] == verdicts
    assert error_for(reason, last_restart) == code


def test_a_wrong_move_asks_again_the_other_way(make_kiosk, people):
    states = [
        SimpleLivenessState("pending", "TURN_LEFT", 0.0),
        SimpleLivenessState("pending", "FACE_CAMERA", 0.0, "WRONG_ACTION"),
        SimpleLivenessState("pending", "TURN_LEFT", 0.0, "WRONG_ACTION"),
        SimpleLivenessState("pending", "STEP_BACK", 0.5),
    ]
    k = _signed_in(make_kiosk, people, _scripted(states))
    keys = []
    for _ in range(6):
        k.clock.advance(0.2)
        view = k.show(people["t1_0"][0])
        if view.state == State.LIVENESS:
            keys.append((view.message_key, view.liveness_retry))
    assert keys[:4] == [
        ("liveness.turn_left", False),
        ("liveness.face_camera", False),  # guidance, not a prompt asked again
        ("liveness.retry_turn_left", True),  # "Other way: turn your head to your LEFT"
        ("liveness.step_back", False),
    ]


def test_a_check_that_never_decides_times_out_with_the_layers_logged(make_kiosk, people):
    pending = SimpleLivenessState(
        "pending", "STEP_BACK", 0.0, verdicts={"model": "too_close", "motion": "weak"}
    )
    k = _signed_in(make_kiosk, people, _scripted([pending]))
    k.feed(people["t1_0"], max_frames=3)
    assert k.session.state == State.LIVENESS
    k.clock.advance(k.session.settings.kiosk.capture_timeout_s)
    k.session.tick()
    assert k.session.view.error == ErrorCode.TIMEOUT
    event = k.vault.events(kind="auth")[-1]
    assert event.extra["detail"] == "timeout in LIVENESS"
    assert event.extra["verdicts"] == {"model": "too_close", "motion": "weak"}
