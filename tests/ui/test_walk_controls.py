"""What a walk through the real window (Xvfb, 1024x768 and portrait 800x1280) showed: a
scroll bar's handle ran over its arrow buttons, an unchecked check box was dark on dark,
a spin box's arrows were invisible, the admin tab bar's scroll arrows were 15 px wide in
portrait, and the window (no --kiosk) opened larger than a portrait screen."""

from __future__ import annotations

import signal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QScrollBar,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QStyleOptionSlider,
    QStyleOptionSpinBox,
    QToolButton,
)

from facekiosk.settings import Settings
from facekiosk.ui.admin.controls import TOUCH_HEIGHT


@pytest.fixture
def themed(qapp):
    from facekiosk.ui.app import qt_app

    return qt_app()  # the theme at scale 1, as `facekiosk run` starts


def _luma(c: QColor) -> float:
    return 0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()


def contrast_in(image: QImage, rect: QRect) -> float:
    """Lightest minus darkest luma inside `rect` (0: a flat colour, nothing to see)."""
    lumas = [
        _luma(image.pixelColor(x, y))
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1))
        for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1))
    ]
    return max(lumas) - min(lumas)


def indicator_rect(box: QCheckBox) -> QRect:
    option = QStyleOptionButton()
    box.initStyleOption(option)
    return box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)


def test_scroll_bar_handle_stays_off_the_arrow_buttons(qtbot, themed):
    """Seen on the consent page and the settings tab: at the end of the text the handle
    covered the down arrow (and the up arrow at the start)."""
    bar = QScrollBar(Qt.Orientation.Vertical)
    qtbot.addWidget(bar)
    bar.resize(28, 400)
    bar.setRange(0, 1000)
    bar.show()
    style = bar.style()
    for value in (bar.minimum(), bar.maximum()):
        bar.setValue(value)
        option = QStyleOptionSlider()
        bar.initStyleOption(option)
        slider = style.subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, option, QStyle.SubControl.SC_ScrollBarSlider, bar
        )
        for arrow in (QStyle.SubControl.SC_ScrollBarAddLine, QStyle.SubControl.SC_ScrollBarSubLine):
            rect = style.subControlRect(QStyle.ComplexControl.CC_ScrollBar, option, arrow, bar)
            assert rect.isEmpty() or not rect.intersects(slider), (value, arrow, rect, slider)


def test_an_unchecked_check_box_shows_its_box(qtbot, themed):
    """API tab: the unchecked scopes "write" and "delete" read as plain words."""
    box = QCheckBox("write")
    qtbot.addWidget(box)
    box.show()
    QApplication.processEvents()
    rect = indicator_rect(box)
    image = box.grab().toImage()
    assert not box.isChecked()
    assert contrast_in(image, rect) >= 80, rect


def test_a_check_box_looks_different_checked(qtbot, themed):
    box = QCheckBox("read")
    qtbot.addWidget(box)
    box.show()
    QApplication.processEvents()
    rect = indicator_rect(box)
    centre = rect.center()
    off = box.grab().toImage().pixelColor(centre)
    box.setChecked(True)
    QApplication.processEvents()
    on = box.grab().toImage().pixelColor(centre)
    assert abs(_luma(on) - _luma(off)) >= 60, (off.name(), on.name())


def test_spin_box_arrows_can_be_seen(qtbot, themed):
    """API tab "no expiry" and the numeric settings: black arrows on a dark field."""
    spin = QSpinBox()
    qtbot.addWidget(spin)
    spin.setRange(0, 10)
    spin.setValue(5)
    spin.resize(220, 56)
    spin.show()
    QApplication.processEvents()
    option = QStyleOptionSpinBox()
    spin.initStyleOption(option)
    image = spin.grab().toImage()
    for part in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
        rect = spin.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, part, spin)
        assert rect.width() >= 24, rect
        assert contrast_in(image, rect.adjusted(2, 2, -2, -2)) >= 100, (part, rect)


def test_admin_tab_scroll_arrows_are_finger_sized(qtbot, themed, data_dir):
    """Portrait 800x1280: the tabs overflow and the API tab sits behind two 15 px arrows."""
    from facekiosk.ui.admin.panel import AdminPanel
    from facekiosk.vault import Vault

    with Vault.open(data_dir) as vault:
        panel = AdminPanel(vault, Settings(), data_dir)
        qtbot.addWidget(panel)
        panel.resize(600, 1000)  # narrower than the tabs at any scale
        panel.show()
        QApplication.processEvents()
        bar = panel.tabs.tabBar()
        arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
        assert len(arrows) == 2, "the tabs should overflow at 600 px"
        assert all(b.width() >= TOUCH_HEIGHT - 8 for b in arrows), [b.width() for b in arrows]
        panel.close()


def test_the_window_fits_the_screen_without_kiosk_mode(qtbot, themed, data_dir, monkeypatch):
    """`facekiosk run` (no --kiosk) on a portrait 800x1280 screen opened 1024 px wide: the
    right side, "Admin" with it, was off the screen."""
    from facekiosk.ui import app as app_module
    from facekiosk.ui.main_window import KioskWindow

    window = KioskWindow(None, Settings(), data_dir)
    qtbot.addWidget(window)
    screen = QApplication.primaryScreen().availableGeometry()
    # offscreen's screen is 800x600: smaller than the 1024x768 the window was opened at
    assert screen.width() < 1024 or screen.height() < 768, screen
    idle = SimpleNamespace(start=lambda: None, stop=lambda: None, close=lambda: None)
    kiosk = SimpleNamespace(
        app=SimpleNamespace(exec=lambda: 0, quit=lambda: None),
        window=window,
        controller=idle,
        close=window.close,
    )
    handlers = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    try:
        assert app_module.run_kiosk(kiosk) == 0  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
        QApplication.instance().removeEventFilter(window._activity)
    assert window.width() <= screen.width() and window.height() <= screen.height(), (
        window.size(),
        screen,
    )


def test_events_tab_keeps_a_long_reason_code_whole_at_1024_px(qtbot, themed, data_dir):
    """The window's events tab after a refused enrolment and a check-in: the reason read
    "LIVENESS_N…_CONFIRMED" at 1024 px, to spare a full Index ID a few characters."""
    from datetime import UTC, datetime

    from facekiosk.ui.admin.panel import AdminPanel
    from facekiosk.vault import Vault
    from tests.ui.test_admin_tabs import unit

    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([unit(1)])
        now = datetime.now(UTC)
        vault.record_event("enroll", None, "kiosk-1", "deny", "LIVENESS_NOT_CONFIRMED", at=now)
        vault.record_event("attendance", index_id, "kiosk-1", "check_in", "ok", at=now)
        panel = AdminPanel(vault, Settings(), data_dir)
        qtbot.addWidget(panel)
        panel.resize(1024, 700)
        panel.show()
        panel.tabs.setCurrentIndex(2)
        panel.events.refresh()
        QApplication.processEvents()
        table = panel.events.table
        table.fit_columns()
        QApplication.processEvents()
        reason = table.horizontalHeader().sectionSize(3)
        # the column's own need (text and cell margins): an inch less and Qt elides it
        assert reason >= table.sizeHintForColumn(3), (reason, table.sizeHintForColumn(3))
        assert table.horizontalScrollBar().maximum() == 0
        panel.close()


def test_a_stop_signal_during_start_up_still_closes_the_kiosk(qtbot):
    """SIGTERM between installing the handler and the event loop starting (the engine
    still loading): QCoreApplication.quit() is a no-op then, and the kiosk ran on until
    killed (test_os_silence's API run, stopped at ~15 s under strace)."""
    import os

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    from facekiosk.ui import app as app_module

    app = QApplication.instance()
    window = QWidget()
    qtbot.addWidget(window)
    handlers = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    safety = QTimer()
    try:
        app_module._quit_on_signals(SimpleNamespace(app=app, window=window))  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGTERM)  # handled here, before exec()
        assert window._close_allowed is True
        safety.setSingleShot(True)  # the safety net: 7 = the signal did not quit the loop
        safety.timeout.connect(lambda: app.exit(7))
        safety.start(3000)
        assert app.exec() == 0
    finally:
        safety.stop()
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])


def test_a_stop_signal_while_the_kiosk_is_built_closes_it_once_built():
    """SIGTERM before the kiosk's handler existed ended the process on the spot (Python's
    default), leaving the engine process running and the vault open."""
    import os

    from facekiosk.ui import app as app_module

    closed: list[bool] = []

    def must_not_run() -> int:
        raise AssertionError("the event loop must not start after a stop request")

    window = SimpleNamespace(_close_allowed=False)
    kiosk = SimpleNamespace(
        app=SimpleNamespace(exec=must_not_run, quit=lambda: None),
        window=window,
        controller=SimpleNamespace(start=must_not_run),
        close=lambda: closed.append(True),
    )
    handlers = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    try:
        app_module.hold_stop_signals()
        os.kill(os.getpid(), signal.SIGTERM)  # while "building": remembered, not fatal
        with pytest.MonkeyPatch.context() as patch:  # the wake timer needs no real window
            patch.setattr(app_module, "_quit_on_signals", lambda _kiosk: None)
            assert app_module.run_kiosk(kiosk) == 0  # type: ignore[arg-type]
    finally:
        app_module._stop_requested.clear()
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
    assert closed == [True] and window._close_allowed is True
