"""The core flows end to end: real frames, the real dlib engine, a real encrypted vault.

Liveness is "off" here (still images; see conftest) — liveness has its own tests below
with a scripted liveness_factory.
"""

from __future__ import annotations

from facekiosk.kiosk import ErrorCode, ResultKind, State
from facekiosk.kiosk.receipt import enrollment_receipt
from facekiosk.kiosk.steps.timeouts import ENROLLED_RESULT_MAX_S

from .conftest import flow_settings


def test_enroll_stores_template_pin_and_consent(make_kiosk, people):
    k = make_kiosk()
    s = k.session
    view = s.start_enroll(payload=b"employee-4711")
    assert view.state == State.CONSENT
    assert view.consent is not None and view.consent.version.startswith("en-")
    s.accept_consent()
    assert k.feed(people["t1_0"]) == State.PIN_SETUP
    s.enter_pin("2791")
    assert s.view.state == State.PIN_CONFIRM
    view = s.enter_pin("2791")
    assert view.state == State.RESULT and view.result.kind == ResultKind.ENROLLED
    index_id = view.result.index_id
    assert view.result.receipt_code == enrollment_receipt(index_id)
    record = k.vault.get(index_id)
    assert record.has_pin and record.has_payload and record.n_images == 3
    assert record.consent_version == s.consent.version
    assert [v for v, _ in k.vault.consents(index_id)] == [s.consent.version]
    assert k.vault.get_payload(index_id) == b"employee-4711"
    assert k.vault.verify_pin(index_id, "2791") and not k.vault.verify_pin(index_id, "2792")
    assert s.held_biometrics() == 0  # the template left memory with the result
    # the only showing of the Index ID and receipt waits for "Done" (issue 17), with a bound
    k.clock.advance(s.settings.kiosk.result_display_s)
    view = s.tick()
    assert view.state == State.RESULT and view.seconds_left > 60
    k.clock.advance(ENROLLED_RESULT_MAX_S)
    assert s.tick().state == State.IDLE  # result screen times out to attract


def test_same_face_again_is_refused_as_duplicate(make_kiosk, people):
    k = make_kiosk()
    k.enroll(people["t1_1"])
    before = k.vault.count()
    k.session.start_enroll()
    k.session.accept_consent()
    state = k.feed(people["t1_1"][::-1])
    view = k.session.view
    assert state == State.RESULT and view.error == ErrorCode.FACE_DUPLICATION
    assert view.result.index_id is None  # the existing Index ID is not revealed
    assert k.vault.count() == before


def test_authenticate_then_unknown_person_refused(make_kiosk, people):
    k = make_kiosk(flow_settings(mode="attendance"))
    s = k.session
    ids = {name: k.enroll(people[name], pin=None) for name in ("t1_0", "t1_2", "hanks")}
    s.drain_events()
    # t1_2 comes back: recognised over confirm_frames frames, checked in, no PIN
    # (low_confidence policy and no PIN stored).
    s.start_auth()
    assert k.feed(people["t1_2"]) == State.RESULT
    view = s.view
    assert view.error is None and view.result.kind == ResultKind.CHECK_IN
    events = [e for e in s.drain_events() if e.kind == "attendance"]
    assert [(e.decision, e.index_id) for e in events] == [("check_in", ids["t1_2"])]
    stored = k.vault.events(kind="attendance")
    assert [(e.index_id, e.decision) for e in stored] == [(ids["t1_2"], "check_in")]
    assert k.vault.get(ids["t1_2"]).last_seen is not None
    # The astronaut was never enrolled.
    k.clock.advance(10)
    s.tick()
    s.start_auth()
    assert k.feed(people["astronaut"]) == State.RESULT
    assert s.view.error == ErrorCode.UNRECOGNIZED_FACE
    denied = k.vault.events(kind="auth")
    assert denied[-1].decision == "deny" and denied[-1].reason == "UNRECOGNIZED_FACE"
    assert denied[-1].index_id is None


def test_auto_start_recognises_without_a_button(make_kiosk, people, empty_frame):
    k = make_kiosk(flow_settings(auto_start=True))
    k.enroll(people["t1_5"], pin=None)
    k.show(empty_frame)
    assert k.session.state == State.IDLE  # nobody there: nothing starts
    k.show(people["t1_5"][0])
    assert k.session.state in (State.CAPTURE, State.LIVENESS, State.MATCHING)
    assert k.feed(people["t1_5"]) == State.RESULT
    assert k.session.view.result.kind == ResultKind.CHECK_IN
    # A button pressed while an auto-started scan runs takes over (nothing was committed).
    k.clock.advance(6)
    k.session.tick()
    k.show(people["t1_2"][0])
    assert k.session.state in (State.CAPTURE, State.LIVENESS, State.MATCHING)
    assert k.session.start_enroll().state == State.CONSENT
    assert k.session.held_biometrics() == 0


def test_view_never_carries_images_or_vectors(make_kiosk, people):
    import dataclasses

    import numpy as np

    k = make_kiosk()
    k.session.start_enroll()
    k.session.accept_consent()
    k.feed(people["t1_0"], max_frames=5)
    view = k.session.view

    def walk(obj):
        if isinstance(obj, np.ndarray):
            raise AssertionError("an array in the view")
        if dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))
        elif isinstance(obj, tuple | list):
            for item in obj:
                walk(item)

    walk(view)
    assert view.state == State.TEMPLATE and 0 < view.progress < 1 and view.face_box is not None


def test_set_language_switches_the_consent_text_unless_a_version_is_pinned(make_kiosk):
    from facekiosk.kiosk.consent import load_consent

    german, english = load_consent("de"), load_consent("en")
    s = make_kiosk().session
    assert s.set_language("de") == german
    assert s.start_enroll().consent == german  # the text shown = the version recorded
    s.cancel()
    assert s.set_language("en") == english
    pinned = make_kiosk(flow_settings(consent_version=english.version)).session
    assert pinned.set_language("de") == english  # only the reviewed words are shown
