"""Walking the real window: the consent page went back to the start screen while its text
was being read, and the PIN page while digits were being typed (the session's 30 s
`idle_timeout_s`), without a word. Scrolling and digit taps now restart that timer
(test_input_keeps_page.py), and the last seconds say the page is about to close, in the
result page's translated words."""

from __future__ import annotations

import pytest

from facekiosk.kiosk.codes import Purpose, State
from facekiosk.kiosk.consent import load_consent
from facekiosk.kiosk.view import SessionView
from facekiosk.settings import Settings
from facekiosk.ui.main_window import KioskWindow


@pytest.fixture
def window(qtbot, data_dir):
    from facekiosk.ui.app import qt_app

    qt_app()
    w = KioskWindow(None, Settings(), data_dir)
    qtbot.addWidget(w)
    w.show()
    return w


def consent_view(seconds_left: float | None) -> SessionView:
    return SessionView(
        State.CONSENT, Purpose.ENROLL, consent=load_consent("en"), seconds_left=seconds_left
    )


def test_consent_page_warns_before_it_closes_by_itself(window):
    page = window.pages["consent"]
    window.render_view(consent_view(24.0))
    assert not page.closing.isVisible()  # plenty of time: no clock pushing the reader
    window.render_view(consent_view(7.2))
    assert page.closing.isVisible()
    assert "closes by itself in 8 s" in page.closing.text()
    window.render_view(consent_view(0.4))
    assert "in 1 s" in page.closing.text()


def test_pin_page_warns_before_it_closes_by_itself(window):
    page = window.pages["pin"]
    view = SessionView(
        State.PIN_SETUP, Purpose.ENROLL, message_key="state.pin_setup", seconds_left=20.0
    )
    window.render_view(view)
    assert not page.closing.isVisible()
    window.render_view(
        SessionView(
            State.PIN_SETUP, Purpose.ENROLL, message_key="state.pin_setup", seconds_left=4.5
        )
    )
    assert page.closing.isVisible() and "in 5 s" in page.closing.text()


def test_the_warning_is_german_in_german(window):
    from facekiosk.ui.i18n import LanguageSwitcher

    switcher = LanguageSwitcher()
    assert switcher.set_language("de")
    try:
        window.render_view(consent_view(3.0))
        assert window.pages["consent"].closing.text() == (
            "Diese Seite schließt sich in 3 s von selbst"
        )
    finally:
        switcher.set_language("en")


def test_liveness_between_prompts_does_not_repeat_the_title(qtbot):
    """The window said "Checking that you are really here" above the picture and again
    below it, between two prompts."""
    from facekiosk.ui.pages.capture import CapturePage
    from facekiosk.ui.preview import PreviewWidget

    page = CapturePage(PreviewWidget())
    qtbot.addWidget(page)
    page.show_view(SessionView(State.LIVENESS, Purpose.ENROLL, message_key="state.liveness"))
    assert page.title.text() == "Checking that you are really here"
    assert page.instruction.text().strip() == ""
    assert page.instruction.sizeHint().height() > 0  # the line keeps its place
    prompt = SessionView(
        State.LIVENESS,
        Purpose.ENROLL,
        liveness_prompt="TURN_LEFT",
        message_key="liveness.turn_left",
    )
    page.show_view(prompt)
    assert page.instruction.text() == "Turn your head to your left"
    page.show_view(SessionView(State.CAPTURE, Purpose.ENROLL, message_key="state.capture"))
    assert page.title.text() == "Look at the camera"
    assert page.instruction.text() != page.title.text()


@pytest.mark.parametrize("page_name", ["pin", "admin_login"])
def test_pin_keys_are_keys_not_towers_in_portrait(window, page_name):
    """Portrait 800x1280: the admin PIN pad's keys grew to 88x204 px."""
    from PySide6.QtWidgets import QApplication

    from facekiosk.ui.widgets import TOUCH_MIN_PX, PinPad

    window.resize(800, 1280)
    window.show_page(page_name)
    QApplication.processEvents()
    pad = window.pages[page_name].findChild(PinPad)
    for key in pad.keys.values():
        assert key.height() >= TOUCH_MIN_PX * 0.9, key.size()  # still a fingertip
        assert key.height() <= 1.5 * key.width(), (key.text(), key.size())
