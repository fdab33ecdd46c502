"""Issue 17: the face that keeps failing is paused, not the whole kiosk; the kiosk-wide
pause is left for floods of different faces; both show how long is left."""

from __future__ import annotations

from facekiosk.kiosk.codes import ErrorCode, State
from facekiosk.settings.schema import KioskSettings
from tests.kiosk.conftest import flow_settings


def fail_once(k, frames) -> None:
    k.session.start_auth()
    k.feed(frames)
    assert k.session.view.error == ErrorCode.UNRECOGNIZED_FACE
    k.clock.advance(20)
    k.session.tick()


def test_one_failing_face_is_paused_and_the_queue_is_not(make_kiosk, people):
    k = make_kiosk()  # default kiosk.max_failures (10)
    base = KioskSettings().source_backoff_base_s  # 30 s
    member = k.enroll(people["t1_1"], pin=None)
    for _ in range(KioskSettings().source_max_failures - 1):
        fail_once(k, people["astronaut"])
    # the failure that trips the pause already says how long to wait
    k.session.start_auth()
    k.feed(people["astronaut"])
    view = k.session.view
    assert view.error == ErrorCode.UNRECOGNIZED_FACE
    assert view.wait_s is not None and abs(view.wait_s - base) <= 1
    k.clock.advance(5)
    k.session.tick()
    # the same face, back at once: paused, with the time left counting down
    k.session.start_auth()
    k.feed(people["astronaut"][1:])
    view = k.session.view
    assert view.error == ErrorCode.TOO_MANY_REQUESTS, view
    assert view.wait_s is not None and 20 <= view.wait_s <= base - 4
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
    k.clock.advance(base)
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
    base = k.session.settings.kiosk.lockout_base_s
    assert view.wait_s is not None and base - 25 <= view.wait_s <= base


def test_the_throttle_limits_are_kiosk_settings(make_kiosk, people):
    k = make_kiosk(flow_settings(
        max_failures=3, lockout_base_s=240.0, source_max_failures=2,
        source_backoff_base_s=90.0, source_backoff_max_s=120.0,
    ))  # fmt: skip
    fail_once(k, people["astronaut"])
    k.session.start_auth()
    k.feed(people["astronaut"])  # the second failure of this face pauses it, for 90 s
    assert k.session.view.error == ErrorCode.UNRECOGNIZED_FACE
    assert k.session.view.wait_s is not None and abs(k.session.view.wait_s - 90) <= 1
    k.clock.advance(20)
    k.session.tick()
    fail_once(k, people["hanks"])  # 3 first offences: the kiosk-wide pause, 240 s
    view = k.session.start_auth()
    assert view.error == ErrorCode.TOO_MANY_REQUESTS
    assert view.wait_s is not None and 240 - 25 <= view.wait_s <= 240
