"""Small shared widgets: touch-sized buttons, the PIN pad, page scaffolding."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

TOUCH_MIN_PX = 72  # about 12 mm on a 15" 1080p panel: a fingertip, not a cursor
# An input page (consent, PIN) closes after `kiosk.idle_timeout_s` (30 s) without input;
# scrolling the text or tapping a digit counts as input. Its last seconds say so.
CLOSING_WARN_S = 10.0
PIN_KEY_MAX_HEIGHT = 1.5  # x the touch minimum (108 px at scale 1): keys, not towers


class ClosingNote(QLabel):
    """ "This page closes by itself in 8 s" in an input page's last seconds (the result
    page's words). Walking the real window, the consent page went back to the start
    screen while the text was being read, and the PIN page while digits were typed,
    with no word of warning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hint")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def set_seconds_left(self, seconds: float | None) -> None:
        if seconds is None or seconds > CLOSING_WARN_S:
            self.hide()
            return
        text = QCoreApplication.translate("ResultPage", "This page closes by itself in %1 s")
        self.setText(text.replace("%1", str(int(seconds + 0.999))))
        self.show()


class BigButton(QPushButton):
    """A touch-sized button; `role` picks its colour in the style sheet."""

    def __init__(self, role: str = "primary", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", role)
        self.set_scale(1.0)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_text(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleName(text)

    def set_scale(self, scale: float) -> None:
        self.setMinimumHeight(round(TOUCH_MIN_PX * scale))


class Page(QWidget):
    """A page: a title, a body, and `retranslate()` re-run when the language changes."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.layout_ = QVBoxLayout(self)
        self.set_scale(1.0)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.title)

    def set_title(self, text: str) -> None:
        self.title.setText(text)
        self.setAccessibleName(text)

    def set_portrait(self, portrait: bool) -> None:
        for row in self.findChildren(ResponsiveRow):
            row.set_portrait(portrait)

    def set_scale(self, scale: float) -> None:
        m = round(28 * scale)
        self.layout_.setContentsMargins(m, round(m * 0.7), m, round(m * 0.7))
        self.layout_.setSpacing(round(14 * scale))

    def retranslate(self) -> None:
        """Set every visible text; subclasses call tr() here."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ResponsiveRow(QBoxLayout):
    """Side by side in landscape, stacked in portrait (a 480 px wide panel has no room for
    two large buttons next to each other)."""

    def __init__(self) -> None:
        super().__init__(QBoxLayout.Direction.LeftToRight)
        self.setSpacing(16)

    def set_portrait(self, portrait: bool) -> None:
        self.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )


def button_row(*buttons: QWidget) -> ResponsiveRow:
    row = ResponsiveRow()
    for b in buttons:
        row.addWidget(b)
    return row


class PinPad(QWidget):
    """A masked on-screen PIN pad: digits, delete, OK. No system keyboard needed.

    Physical keyboard digits, Backspace and Enter work too (a USB keypad).
    """

    submitted = Signal(str)
    typed = Signal()  # a digit or delete: the person is typing, not gone

    def __init__(self, max_length: int = 16, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinpad")
        self.max_length = max_length
        self._digits = ""
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addStretch(1)  # a tall (portrait) page: the pad in the middle, keys capped
        self.display = QLabel()
        self.display.setObjectName("pindisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.display)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.grid = grid
        self.keys: dict[str, QPushButton] = {}
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
        for i, key in enumerate(labels):
            b = QPushButton()
            b.setProperty("role", "key" if key.isdigit() else ("ok" if key == "ok" else "minor"))
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.set_scale(1.0)
        self.retranslate()
        self._refresh()

    def set_scale(self, scale: float) -> None:
        key = round(TOUCH_MIN_PX * scale)
        for b in self.keys.values():
            b.setMinimumSize(round(key * 1.2), key)
            # in portrait 800x1280 the keys grew to 88x204 px, thin towers
            b.setMaximumHeight(round(key * PIN_KEY_MAX_HEIGHT))
        self.display.setMinimumHeight(round(64 * scale))
        self.grid.setSpacing(round(10 * scale))

    def retranslate(self) -> None:
        for key, b in self.keys.items():
            if key.isdigit():
                b.setText(key)
                b.setAccessibleName(self.tr("Digit %1").replace("%1", key))
        self.keys["del"].setText("⌫")
        self.keys["del"].setAccessibleName(self.tr("Delete last digit"))
        self.keys["ok"].setText(self.tr("OK"))
        self.keys["ok"].setAccessibleName(self.tr("Confirm PIN"))

    @property
    def digits(self) -> str:
        return self._digits

    def clear(self) -> None:
        self._digits = ""
        self._refresh()

    def press(self, key: str) -> None:
        if key.isdigit() and len(key) == 1:
            if len(self._digits) < self.max_length:
                self._digits += key
        elif key == "del":
            self._digits = self._digits[:-1]
        elif key == "ok" and self._digits:
            pin, self._digits = self._digits, ""
            self._refresh()
            self.submitted.emit(pin)
            return
        self._refresh()
        if key.isdigit() or key == "del":
            self.typed.emit()

    def _refresh(self) -> None:
        # masked: one dot per digit, never the digits themselves
        self.display.setText("●" * len(self._digits) if self._digits else "—")
        self.display.setAccessibleName(self.tr("%n digit(s) typed", "", len(self._digits)))
        self.keys["ok"].setEnabled(bool(self._digits))

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            self.press(chr(key))
        elif key == Qt.Key.Key_Backspace:
            self.press("del")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press("ok")
        else:
            super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._refresh()
        super().changeEvent(event)
