"""Issue 17: the face that keeps failing is paused, not the whole kiosk; the kiosk-wide
pause is left for floods of different faces; both show how long is left."""

from __future__ import annotations

from facekiosk.kiosk.codes import ErrorCode, State
from facekiosk.kiosk.throttle import SOURCE_BACKOFF, SOURCE_MAX_FAILURES
from tests.kiosk.conftest import flow_settings


def fail_once(k, frames) -> None:
    k.session.start_auth()
    k.feed(frames)
    assert k.session.view.error == ErrorCode.UNRECOGNIZED_FACE
    k.clock.advance(20)
    k.session.tick()


def test_one_failing_face_is_paused_and_the_queue_is_not(make_kiosk, people):
    k = make_kiosk()  # default kiosk.max_failures (10)
    member = k.enroll(people["t1_1"], pin=None)
    for _ in range(SOURCE_MAX_FAILURES - 1):
        fail_once(k, people["astronaut"])
    # the failure that trips the pause already says how long to wait
    k.session.start_auth()
    k.feed(people["astronaut"])
    view = k.session.view
    assert view.error == ErrorCode.UNRECOGNIZED_FACE
    assert view.wait_s is not None and abs(view.wait_s - SOURCE_BACKOFF.base_s) <= 1
    k.clock.advance(5)
    k.session.tick()
    # the same face, back at once: paused, with the time left counting down
    k.session.start_auth()
    k.feed(people["astronaut"][1:])
    view = k.session.view
    assert view.error == ErrorCode.TOO_MANY_REQUESTS, view
    assert view.wait_s is not None and 20 <= view.wait_s <= SOURCE_BACKOFF.base_s - 4
    k.clock.advance(3)
    assert k.session.view.wait_s <= view.wait_s - 3 + 0.01
    assert k.session.held_biometrics() == 0  # the attempt holds nothing
    assert k.session.throttled_faces() == 1  # the paused face, in memory only
    k.session.cancel()
    # the next person in the queue is served
    assert k.session.start_auth().state == State.CAPTURE
    k.feed(people["t1_1"])
    view = k.session.view
    assert view.error is None and view.result.index_id is None
    assert k.vault.events(kind="attendance")[-1].index_id == member
    # after the pause the face may try again (and fails on its merits)
    k.clock.advance(SOURCE_BACKOFF.base_s)
    k.session.tick()
    fail_once(k, people["astronaut"])


def test_ten_failures_of_one_face_do_not_lock_the_kiosk(make_kiosk, people):
    k = make_kiosk()
    for _ in range(10):
        k.session.start_auth()
        k.feed(people["astronaut"])
        k.clock.advance(20)
        k.session.tick()
    # the face is paused (its backoff), everyone else can still start
    view = k.session.start_enroll()
    assert view.state == State.CONSENT, view


def test_a_flood_of_different_faces_pauses_the_kiosk_with_a_countdown(make_kiosk, people):
    k = make_kiosk(flow_settings(max_failures=3))
    for name in ("astronaut", "hanks", "t1_0"):
        fail_once(k, people[name])
    view = k.session.start_auth()
    assert view.error == ErrorCode.TOO_MANY_REQUESTS
    base = k.session.settings.pin.lockout_base_s
    assert view.wait_s is not None and base - 25 <= view.wait_s <= base
