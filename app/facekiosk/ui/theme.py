"""The calm, high-contrast look: a Qt style sheet from resources/theme, scaled to the screen.

The sheet is written for a 1024x768 window; `scale_for(w, h)` shrinks it for a
7" 800x480 panel and grows it for 1080p, in landscape or portrait, by scaling
every pt/px length in the sheet (and the touch targets set in code).
"""

from __future__ import annotations

import re

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from facekiosk.paths import resources_dir

BASE_POINT_SIZE = 18  # readable at about 1 m on a 15-22" kiosk screen


def load_style_sheet(name: str = "kiosk") -> str:
    return (resources_dir() / "theme" / f"{name}.qss").read_text(encoding="utf-8")


REFERENCE_SIZE = (1024, 768)
MIN_SCALE, MAX_SCALE = 0.55, 1.6
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(pt|px)\b")


def scale_for(width: int, height: int) -> float:
    """One factor for the whole UI: the tighter of the two axes, portrait or landscape."""
    rw, rh = REFERENCE_SIZE
    if height > width:  # portrait: compare against the rotated reference
        rw, rh = rh, rw
    return max(MIN_SCALE, min(MAX_SCALE, width / rw, height / rh))


def scaled_style_sheet(scale: float, name: str = "kiosk") -> str:
    def repl(m: re.Match[str]) -> str:
        value = float(m.group(1)) * scale
        minimum = 1 if m.group(2) == "px" else 8  # keep borders and small print visible
        return f"{max(minimum, round(value))}{m.group(2)}"

    return _LENGTH.sub(repl, load_style_sheet(name))


def apply_theme(app: QApplication, scale: float = 1.0) -> None:
    font = QFont(app.font())
    font.setPointSize(max(8, round(BASE_POINT_SIZE * scale)))
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on every platform; the sheet does the rest
    app.setStyleSheet(scaled_style_sheet(scale))
