"""Kiosk mode: full screen, frameless, on top, no cursor; closing needs the admin PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

from facekiosk.ui.main_window import KioskWindow
from facekiosk.ui.theme import REFERENCE_SIZE


def apply_kiosk_mode(window: KioskWindow) -> None:
    window.kiosk_mode = True
    window.setWindowFlags(
        window.windowFlags()
        | Qt.WindowType.FramelessWindowHint
        | Qt.WindowType.WindowStaysOnTopHint
    )
    QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))  # touch screen: no pointer
    screen = window.screen() or QApplication.primaryScreen()
    if screen is not None:
        # a kiosk often runs on bare X without a window manager, which would ignore the
        # full-screen request: cover the screen explicitly as well
        window.setGeometry(screen.geometry())
    window.showFullScreen()


def show_windowed(window: KioskWindow) -> None:
    """Without --kiosk: a window at the reference size (landscape or portrait, as the screen
    is), never larger than the screen's free area. It opened at 1024x768 on a portrait
    800x1280 screen: the right side, "Admin" with it, was off the screen."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width, height = REFERENCE_SIZE
        if area.height() > area.width():
            width, height = height, width
        window.resize(min(width, area.width()), min(height, area.height()))
    window.show()


def leave_kiosk_mode(window: KioskWindow) -> None:
    window.kiosk_mode = False
    while QApplication.overrideCursor() is not None:
        QApplication.restoreOverrideCursor()
