"""Each kiosk page reached through the real session and its buttons driven."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from facekiosk.admin_auth import AdminAuth
from facekiosk.kiosk.codes import State
from tests.ui.helpers import flow_settings

TIMEOUT_MS = 90_000
ADMIN_PIN = "582914"


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_page(qtbot, window, name: str, timeout: int = TIMEOUT_MS) -> None:
    qtbot.waitUntil(lambda: window.current_page_name() == name, timeout=timeout)


def type_pin(qtbot, pad, pin: str) -> None:
    for digit in pin:
        click(qtbot, pad.keys[digit])
    assert pad.display.text() == "●" * len(pin)  # masked: never the digits
    click(qtbot, pad.keys["ok"])


def test_decline_consent_shows_error_page_and_stores_nothing(qtbot, kiosk):
    w = kiosk.window
    click(qtbot, w.pages["attract"].enroll_button)
    wait_page(qtbot, w, "consent")
    consent = w.pages["consent"]
    assert "version" in consent.version.text().lower()
    click(qtbot, consent.decline_button)
    wait_page(qtbot, w, "result")
    result = w.pages["result"]
    assert result.is_error and "TERMS_NOT_ACCEPTED" in result.fineprint.text()
    assert kiosk.vault.count() == 0
    click(qtbot, result.done_button)
    wait_page(qtbot, w, "attract")


def test_cancel_during_capture_returns_to_attract(qtbot, kiosk):
    w = kiosk.window
    click(qtbot, w.pages["attract"].auth_button)
    wait_page(qtbot, w, "capture")
    qtbot.waitUntil(lambda: w.preview.painted_frames > 0, timeout=TIMEOUT_MS)
    click(qtbot, w.pages["capture"].cancel_button)
    wait_page(qtbot, w, "attract")
    assert w.preview._frame is None  # nothing of the camera kept on screen


def test_privacy_page_and_back(qtbot, kiosk):
    w = kiosk.window
    click(qtbot, w.pages["attract"].privacy_button)
    wait_page(qtbot, w, "privacy", 5000)
    assert "encrypted" in w.pages["privacy"].body.toPlainText()
    click(qtbot, w.pages["privacy"].back_button)
    wait_page(qtbot, w, "attract", 5000)


def test_pin_setup_confirm_entry_and_forget_me(qtbot, make_kiosk):
    s = flow_settings()
    k = make_kiosk(dataclasses.replace(s, pin=dataclasses.replace(s.pin, policy="always")))
    w = k.window
    # enrol with a PIN: a weak one is refused with the reason, then set and confirmed
    click(qtbot, w.pages["attract"].enroll_button)
    wait_page(qtbot, w, "consent")
    bar = w.pages["consent"].text.verticalScrollBar()
    bar.setValue(bar.maximum())
    click(qtbot, w.pages["consent"].accept_button)
    wait_page(qtbot, w, "pin")
    pin_page = w.pages["pin"]
    assert not pin_page.skip_button.isVisible()  # policy "always"
    type_pin(qtbot, pin_page.pad, "1234")
    qtbot.waitUntil(lambda: "sequence" in pin_page.hint.text(), timeout=10_000)
    type_pin(qtbot, pin_page.pad, "8147")
    qtbot.waitUntil(lambda: k.controller.view.state == State.PIN_CONFIRM, timeout=10_000)
    assert pin_page.title.text() == "Type the same PIN again"
    type_pin(qtbot, pin_page.pad, "8147")
    wait_page(qtbot, w, "result")
    index_id = k.controller.view.result.index_id
    assert index_id and k.vault.has_pin(index_id)
    click(qtbot, w.pages["result"].done_button)
    wait_page(qtbot, w, "attract")

    # forget me: face, then PIN (a wrong one first), confirm page, purge receipt
    click(qtbot, w.pages["attract"].forget_button)
    wait_page(qtbot, w, "pin")
    type_pin(qtbot, pin_page.pad, "9999")
    qtbot.waitUntil(lambda: "2 tries left" in pin_page.hint.text(), timeout=10_000)
    type_pin(qtbot, pin_page.pad, "8147")
    wait_page(qtbot, w, "forget")
    click(qtbot, w.pages["forget"].confirm_button)
    wait_page(qtbot, w, "result")
    view = k.controller.view
    assert str(view.result.kind) == "FORGOTTEN" and view.result.receipt_code
    assert view.result.receipt_code in w.pages["result"].receipt.text()
    assert k.vault.count() == 0


def test_admin_login_wrong_pin_then_lockout(qtbot, kiosk):
    w = kiosk.window
    click(qtbot, w.pages["attract"].admin_button)
    wait_page(qtbot, w, "admin_login", 5000)
    login = w.pages["admin_login"]
    assert "--set-admin-pin" in login.hint.text()  # none set yet: says how
    AdminAuth(w.data_dir).set_secret(ADMIN_PIN)
    for _ in range(3):
        type_pin(qtbot, login.pad, "111222")
    assert "Locked for 30 s" in login.hint.text()
    type_pin(qtbot, login.pad, ADMIN_PIN)  # even the right PIN waits out the lockout
    assert w.current_page_name() == "admin_login"
    AdminAuth(w.data_dir).set_secret("long service passphrase")  # resets the lockout
    qtbot.keyClicks(login.passphrase, "long service passphrase")
    qtbot.keyClick(login.passphrase, Qt.Key.Key_Return)
    wait_page(qtbot, w, "admin", 5000)
    assert login.passphrase.text() == ""  # never left in the field
    click(qtbot, w.admin_panel.logout_button)
    click(qtbot, login.back_button)
    wait_page(qtbot, w, "attract", 5000)


def test_local_pages_fall_back_to_attract_when_idle(qtbot, kiosk):
    w = kiosk.window
    w._local_idle.setInterval(200)
    click(qtbot, w.pages["attract"].privacy_button)
    wait_page(qtbot, w, "privacy", 5000)
    wait_page(qtbot, w, "attract", 5000)


def test_kiosk_mode_close_needs_admin_pin(qtbot, kiosk):
    from PySide6.QtWidgets import QApplication

    from facekiosk.ui.kiosk_mode import apply_kiosk_mode, leave_kiosk_mode

    w = kiosk.window
    AdminAuth(w.data_dir).set_secret(ADMIN_PIN)
    apply_kiosk_mode(w)
    try:
        assert w.isFullScreen()
        assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
        assert w.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
        assert QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
        assert not w.close()  # refused: asks for the admin PIN instead
        assert w.isVisible() and w.current_page_name() == "admin_login"
        type_pin(qtbot, w.pages["admin_login"].pad, ADMIN_PIN)
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=10_000)
    finally:
        leave_kiosk_mode(w)


def test_camera_loss_banner_and_recovery(qtbot, make_kiosk):
    from tests.ui.helpers import StoppingCamera

    camera = StoppingCamera(good=10, mode="silent", fail_opens=1)
    k = make_kiosk(source=camera)
    banner = k.window.banner
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    assert "Camera" in banner.text()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=30_000)  # reopened, frames again
    assert camera.opens >= 2 and k.controller.capture.reopens >= 1


def test_consent_accept_needs_the_end_of_the_text(qtbot, data_dir):
    from PySide6.QtWidgets import QApplication

    from facekiosk.kiosk.consent import load_consent
    from facekiosk.ui.pages.consent import ConsentPage

    page = ConsentPage()
    qtbot.addWidget(page)
    page.resize(800, 480)
    page.show()
    consent = load_consent("en")
    page.reset()
    page.set_consent(consent.text, consent.version)
    qtbot.waitExposed(page)
    QApplication.processEvents()
    bar = page.text.verticalScrollBar()
    assert bar.maximum() > 0 and not page.accept_button.isEnabled()
    bar.setValue(bar.maximum())
    assert page.accept_button.isEnabled()


def test_idle_kiosk_holds_no_frame(qtbot, kiosk):
    c = kiosk.controller
    qtbot.waitUntil(lambda: c.capture.frames > 5, timeout=TIMEOUT_MS)  # camera is read...
    assert c.slot.get() is None  # ...but nothing is kept while nobody is being served
    click(qtbot, kiosk.window.pages["attract"].auth_button)
    qtbot.waitUntil(lambda: c.slot.get() is not None, timeout=TIMEOUT_MS)
    click(qtbot, kiosk.window.pages["capture"].cancel_button)
    qtbot.waitUntil(lambda: c.slot.get() is None, timeout=TIMEOUT_MS)
