"""The calm, high-contrast look: a Qt style sheet from resources/theme, scaled to the screen."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from facekiosk.paths import resources_dir

BASE_POINT_SIZE = 18  # readable at about 1 m on a 15-22" kiosk screen


def load_style_sheet(name: str = "kiosk") -> str:
    return (resources_dir() / "theme" / f"{name}.qss").read_text(encoding="utf-8")


def apply_theme(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on every platform; the sheet does the rest
    app.setStyleSheet(load_style_sheet())
