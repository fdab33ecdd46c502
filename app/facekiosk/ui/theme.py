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


# Rules the sheet lacks, seen in the real window (walk-through of the merged kiosk):
# - a styled scroll bar handle with unstyled arrow buttons ran over the arrows at both
#   ends (consent text, settings, API tab): no arrow buttons, a finger drags the handle;
# - an unchecked check box was dark on dark (API tab scopes "write", "delete" looked like
#   plain words): a visible box, filled when checked;
# - the tab bar's scroll arrows in a portrait panel were 15 px wide: the API and Site
#   tabs were hard to reach with a finger;
# - a spin box's up/down buttons (API key expiry, numeric settings) had black arrows on
#   the dark field: invisible. Wider light buttons with Qt's own arrow pictures.
CONTROL_RULES = """
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; border: none; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }
QCheckBox { spacing: 10px; }
QCheckBox::indicator {
    width: 24px;
    height: 24px;
    border: 2px solid #9fb0c0;
    border-radius: 5px;
    background: #16212c;
}
QCheckBox::indicator:checked { background: #3fb6a8; border-color: #d6f5f1; }
QCheckBox::indicator:disabled { border-color: #2a3a4a; }
QTabBar::scroller { width: 112px; }
QTabBar QToolButton { width: 56px; background: #1f2e3d; border: 2px solid #36506b; }
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {
    width: 32px;
    background: #9fb0c0;
    border: 1px solid #36506b;
}
QAbstractSpinBox::up-arrow {
    image: url(:/qt-project.org/styles/commonstyle/images/arrow-up-16.png);
}
QAbstractSpinBox::down-arrow {
    image: url(:/qt-project.org/styles/commonstyle/images/arrow-down-16.png);
}
QAbstractSpinBox::up-button:off, QAbstractSpinBox::down-button:off { background: #36506b; }
"""


def scaled_style_sheet(scale: float, name: str = "kiosk") -> str:
    def repl(m: re.Match[str]) -> str:
        value = float(m.group(1)) * scale
        minimum = 1 if m.group(2) == "px" else 8  # keep borders and small print visible
        return f"{max(minimum, round(value))}{m.group(2)}"

    sheet = load_style_sheet(name)
    if name == "kiosk":
        sheet += CONTROL_RULES
    return _LENGTH.sub(repl, sheet)


def apply_theme(app: QApplication, scale: float = 1.0) -> None:
    font = QFont(app.font())
    font.setPointSize(max(8, round(BASE_POINT_SIZE * scale)))
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on every platform; the sheet does the rest
    app.setStyleSheet(scaled_style_sheet(scale))
