"""An input page stays while the person uses it: scrolling the consent text and tapping
PIN digits restart its idle timeout (walking the real window, the consent page went back
to the start screen while its text was being read). Real window, session and engine."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from facekiosk.kiosk.codes import State
from facekiosk.ui.widgets import PinPad
from tests.ui.helpers import flow_settings
from tests.ui.test_full_flow import wait_page

IDLE_S = 3.0


def test_scrolling_the_consent_text_keeps_the_page_then_idling_closes_it(qtbot, make_kiosk):
    settings = flow_settings()
    settings.kiosk.idle_timeout_s = IDLE_S
    k = make_kiosk(settings)
    w = k.window
    qtbot.mouseClick(w.pages["attract"].enroll_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "consent")
    bar = w.pages["consent"].text.verticalScrollBar()
    assert bar.maximum() > 0  # the text scrolls at this size
    end = time.monotonic() + 2.5 * IDLE_S
    step = max(1, bar.maximum() // 12)
    while time.monotonic() < end:  # reading, a little further every 1.2 s
        bar.setValue(min(bar.maximum(), bar.value() + step) if bar.value() < bar.maximum() else 0)
        qtbot.wait(1200)
        assert k.controller.view.state == State.CONSENT, k.controller.view
    left = int(3 * IDLE_S * 1000)
    qtbot.waitUntil(lambda: k.controller.view.state != State.CONSENT, timeout=left)
    assert str(k.controller.view.error) == "TIMEOUT"


def test_the_pin_pad_tells_a_digit_and_a_delete_not_ok(qtbot):
    pad = PinPad(8)
    qtbot.addWidget(pad)
    typed: list[bool] = []
    pad.typed.connect(lambda: typed.append(True))
    pad.press("4")
    pad.press("del")
    assert len(typed) == 2
    pad.press("1")
    pad.press("ok")  # an answer, sent as submitted: no "typed" for it
    assert len(typed) == 3
