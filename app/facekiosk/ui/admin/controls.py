"""The admin tabs' recurring controls: a touch-sized push button, a row of them, and the
status line under a tab's actions (each tab built these by hand, nine times over)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

# The admin panel runs on the kiosk's touch screen: a fingertip's height (the tabs had
# 48, 56 and 60 px with no reason given; one height now)
TOUCH_HEIGHT = 56


def touch_button(text: str, *, accessible: str = "") -> QPushButton:
    """A push button a finger hits; its accessible name is what it says unless given."""
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.setAccessibleName(accessible or text)
    return button


def row_of(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


def hint_label() -> QLabel:
    """The tab's status line: the "hint" style, wrapped (a German message is long)."""
    label = QLabel()
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label
