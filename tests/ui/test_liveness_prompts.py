"""The liveness page's words and arrows: guidance (step back, face the camera), the prompt
asked again after a wrong move, and the non-accusing error; English and German."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from facekiosk.kiosk.codes import ErrorCode, Purpose, State
from facekiosk.kiosk.view import SessionView
from facekiosk.ui import messages
from facekiosk.ui.i18n import LanguageSwitcher
from facekiosk.ui.pages.capture import CapturePage
from facekiosk.ui.preview import HINT, PreviewWidget

BOX = (235.0, 155.0, 405.0, 325.0)


def _view(prompt: str, *, retry: bool = False) -> SessionView:
    key = f"liveness.{'retry_' if retry else ''}{prompt.lower()}"
    return SessionView(
        State.LIVENESS, Purpose.AUTH, liveness_prompt=prompt, liveness_retry=retry,
        liveness_progress=0.5, face_box=BOX, message_key=key,
    )  # fmt: skip


@pytest.fixture
def page(qtbot):
    page = CapturePage(PreviewWidget())
    qtbot.addWidget(page)
    page.resize(640, 720)
    return page


@pytest.mark.parametrize(
    ("prompt", "retry", "english", "german", "arrow"),
    [
        ("STEP_BACK", False, "Please step back a little", "Bitte treten Sie etwas zurück",
         "back"),
        ("FACE_CAMERA", False, "Look straight at the camera again",
         "Schauen Sie wieder gerade in die Kamera", None),
        ("TURN_LEFT", True, "Other way: turn your head to your LEFT",
         "Andersherum: drehen Sie den Kopf nach LINKS", "left"),
        ("TURN_RIGHT", True, "Other way: turn your head to your RIGHT",
         "Andersherum: drehen Sie den Kopf nach RECHTS", "right"),
        ("LOOK_UP", True, "Not quite: look UP", "Nicht ganz: schauen Sie nach OBEN", "up"),
        ("BLINK", True, "Keep your head still and just blink",
         "Halten Sie den Kopf still und blinzeln Sie nur", None),
    ],
)  # fmt: skip
def test_prompt_words_and_arrow(page, prompt, retry, english, german, arrow):
    switcher = LanguageSwitcher()
    switcher.set_language("en")
    page.show_view(_view(prompt, retry=retry))
    assert page.instruction.text() == english
    assert page.preview.arrow == arrow
    switcher.set_language("de")
    try:
        page.show_view(_view(prompt, retry=retry))
        assert page.instruction.text() == german
    finally:
        switcher.set_language("en")


def _hint_columns(page) -> np.ndarray:
    image = page.preview.grab().toImage()
    hint = QColor(HINT).rgb()
    xs = [
        x
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
        if image.pixel(x, y) == hint
    ]
    return np.array(xs, float)


@pytest.mark.parametrize(("prompt", "side"), [("TURN_LEFT", "left"), ("TURN_RIGHT", "right")])
def test_retry_arrow_points_to_the_persons_side_in_the_mirrored_preview(page, qtbot, prompt, side):
    """The preview is a mirror: the person's own left is the screen's left edge."""
    page.preview.set_frame(np.full((480, 640, 3), 60, np.uint8))
    page.show()
    page.show_view(_view(prompt, retry=True))
    qtbot.waitExposed(page)
    assert page.preview.mirror
    xs = _hint_columns(page)
    assert xs.size > 20  # the arrow is drawn
    centre = page.preview.width() / 2
    assert (xs.mean() < centre) == (side == "left")


def test_not_confirmed_is_not_an_accusation():
    assert messages.text("error.liveness_not_confirmed") == (
        "We could not confirm that you are really here: please try again"
    )
    assert f"error.{ErrorCode.LIVENESS_NOT_CONFIRMED.lower()}" in messages.MESSAGES


def test_title_says_checking_during_liveness_and_retry_is_marked(page):
    page.show_view(SessionView(State.CAPTURE, Purpose.AUTH, message_key="state.capture"))
    assert page.title.text() == "Look at the camera"
    page.show_view(_view("LOOK_DOWN"))
    # not "Look at the camera" above "Look down"
    assert page.title.text() == "Checking that you are really here"
    assert page.instruction.property("retry") is False
    page.show_view(_view("LOOK_DOWN", retry=True))
    assert page.instruction.property("retry") is True
    page.show_view(SessionView(State.MATCHING, Purpose.AUTH, message_key="state.matching"))
    assert page.title.text() == "Look at the camera"
