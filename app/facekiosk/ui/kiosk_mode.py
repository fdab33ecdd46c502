"""Kiosk mode: full screen, frameless, on top, no cursor; closing needs the admin PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

from facekiosk.ui.main_window import KioskWindow


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


def leave_kiosk_mode(window: KioskWindow) -> None:
    window.kiosk_mode = False
    while QApplication.overrideCursor() is not None:
        QApplication.restoreOverrideCursor()
