"""The session as the pipeline drives it: a checked transition table, one engine call per
scanning frame made by the caller from `frame_request()` (the session makes none), a
bounded event buffer, nothing biometric held after an attempt ends.

Real dlib engine (one call per frame here, behind a call counter), real vault, real
frames; liveness scripted (still images), so LIVENESS lasts a frame and shows its request.
"""

from __future__ import annotations

import itertools

import pytest

from facekiosk.engine.types import FrameRequest
from facekiosk.kiosk import ErrorCode, ResultKind, State
from facekiosk.kiosk.codes import SCAN_STATES
from facekiosk.kiosk.outcome import MAX_EVENTS
from facekiosk.kiosk.transitions import TRANSITIONS, Event, IllegalTransition, next_state

from .conftest import FRAME_DT, CountingEngine, Frame, ScriptedLiveness, flow_settings


def test_transition_table_refuses_an_illegal_transition(make_kiosk):
    with pytest.raises(IllegalTransition, match="PIN_CHOSEN is not allowed in IDLE"):
        next_state(State.IDLE, Event.PIN_CHOSEN)
    with pytest.raises(IllegalTransition):
        next_state(State.RESULT, Event.FINISH)  # a result is never replaced by another
    assert next_state(State.RESULT, Event.FAULT) == State.RESULT  # ...but a failure is
    # Every state can be left (cancel) and every state but IDLE is reachable.
    assert {s for (s, e) in TRANSITIONS if e == Event.CANCEL} == set(State)
    assert set(TRANSITIONS.values()) == set(State)
    # The session's own moves are checked: a skipped step raises, the state stays.
    session = make_kiosk().session
    with pytest.raises(IllegalTransition):
        session._core.go(Event.LIVE_AUTH, 0.0)
    assert session.state == State.IDLE


def _drive(k, counting: CountingEngine, frames: list[Frame], seen: list) -> None:
    """The pipeline's step, frame by frame, until the scan ends."""
    s = k.session
    for i in range(60):
        request = s.frame_request()
        if request is None:
            assert s.state not in SCAN_STATES
            return
        state, box = s.state, s.view.face_box
        assert state in SCAN_STATES
        assert request.track_box == box  # the engine embeds the face the session tracks
        k.clock.advance(FRAME_DT)
        image = frames[i % len(frames)].image
        before = counting.calls.total()
        faces = counting.analyze(image, request)
        assert counting.calls.total() == before + 1  # one engine call for this frame
        s.on_frame(image, faces)
        assert counting.calls.total() == before + 1  # ...and none by the session
        seen.append((state, request))
    raise AssertionError("the scan did not end")


def test_one_engine_call_per_frame_in_every_scanning_state(make_kiosk, people, engine):
    counting = CountingEngine(engine)
    settings = flow_settings(mode="attendance")
    settings.liveness.enroll_level = settings.liveness.auth_level = "passive"
    k = make_kiosk(
        settings, engine=counting, liveness_factory=lambda level: ScriptedLiveness("passed", 2)
    )
    s = k.session
    assert s.frame_request() is None  # IDLE without auto-start: nothing to analyse
    s.start_enroll()
    assert s.state == State.CONSENT and s.frame_request() is None
    s.accept_consent()
    enrol: list[tuple[State, FrameRequest]] = []
    _drive(k, counting, people["t1_3"], enrol)
    assert s.state == State.PIN_SETUP and s.frame_request() is None
    s.skip_pin()
    assert s.view.result.kind == ResultKind.ENROLLED and s.frame_request() is None
    k.clock.advance(10)
    s.tick()
    s.start_auth()
    auth: list[tuple[State, FrameRequest]] = []
    _drive(k, counting, people["t1_3"], auth)
    assert s.view.result.kind == ResultKind.CHECK_IN and s.frame_request() is None

    # the states in order (t1_3 looks down with narrow eyes: a frame may stay in CAPTURE)
    steps = [st for st, _ in itertools.groupby(st for st, _ in enrol)]
    assert steps[:3] == [State.CAPTURE, State.LIVENESS, State.TEMPLATE]
    assert {st for st, _ in auth} == {State.CAPTURE, State.LIVENESS, State.MATCHING}
    wanted = {
        # (state, enrolment?) -> (embed, antispoof)
        (State.CAPTURE, True): ("primary", True),  # the anchor
        (State.LIVENESS, True): ("none", True),
        (State.TEMPLATE, True): ("primary", False),  # or "none": see below
        (State.CAPTURE, False): ("primary", True),  # the first match step
        (State.LIVENESS, False): ("primary", True),  # the streak builds during liveness
        (State.MATCHING, False): ("primary", False),
    }
    for frames, enrolling in ((enrol, True), (auth, False)):
        for state, request in frames:
            assert request.landmarks and request.max_faces is None
            embed, antispoof = wanted[(state, enrolling)]
            if state == State.TEMPLATE and request.embed == "none":
                embed = "none"  # a frame too soon after the last template frame
            assert (request.embed, request.antispoof) == (embed, antispoof), state
    template = [r.embed for st, r in enrol if st == State.TEMPLATE]
    assert template.count("primary") >= 3 and "none" in template  # frames too soon: none
    assert counting.calls == {"analyze": len(enrol) + len(auth)}  # no detect, no embed
    assert s.held_biometrics() == 0


def test_a_frame_without_the_needed_embedding_is_skipped(make_kiosk, people, engine):
    counting = CountingEngine(engine)
    k = make_kiosk(engine=counting)
    k.enroll(people["t1_5"], pin=None)
    s = k.session
    s.start_auth()
    bare = FrameRequest(embed="none")
    for f in people["t1_5"] * 2:  # e.g. the engine embedded someone else
        k.clock.advance(FRAME_DT)
        view = s.on_frame(f.image, f.answer(bare))
    assert view.state in SCAN_STATES and view.progress == 0.0 and view.error is None
    assert k.feed(people["t1_5"]) == State.RESULT
    assert s.view.result.kind == ResultKind.CHECK_IN
    s.start_enroll()
    s.accept_consent()
    k.clock.advance(FRAME_DT)
    s.on_frame(people["t1_2"][0].image, people["t1_2"][0].answer(bare))
    assert s.state == State.CAPTURE  # no anchor without an embedding: liveness waits
    assert counting.calls.total() == 0  # the session never ran the engine itself


def test_auto_start_asks_for_the_first_frame_of_a_sign_in(make_kiosk):
    request = make_kiosk(flow_settings(auto_start=True)).session.frame_request()
    assert request == FrameRequest(landmarks=True, embed="primary", antispoof=False)


def test_event_buffer_is_bounded(make_kiosk):
    s = make_kiosk().session
    for _ in range(MAX_EVENTS + 50):
        s.start_auth()
        s.cancel()
    events = s.drain_events()
    assert len(events) == MAX_EVENTS and {e.reason for e in events} == {ErrorCode.CANCELLED}
    assert s.drain_events() == []


def test_nothing_biometric_is_held_after_a_scan_timeout(make_kiosk, people):
    k = make_kiosk(liveness_factory=lambda level: ScriptedLiveness("passed", after=1000))
    k.session.start_auth()
    k.feed(people["t1_0"], max_frames=3)
    assert k.session.state == State.LIVENESS and k.session.held_biometrics() > 0
    k.clock.advance(k.session.settings.kiosk.capture_timeout_s)
    assert k.session.tick().error == ErrorCode.TIMEOUT
    assert k.session.held_biometrics() == 0
