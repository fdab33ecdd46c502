"""PIN page: set-up, confirmation and entry on a touch-sized masked pad."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from facekiosk.ui import messages
from facekiosk.ui.widgets import BigButton, ClosingNote, Page, PinPad, button_row


class PinPage(Page):
    submitted = Signal(str)
    skipped = Signal()
    cancelled = Signal()
    busy = Signal()  # a digit tapped: the person is typing, not gone

    def __init__(self, max_length: int = 16, min_length: int = 4) -> None:
        super().__init__("page_pin")
        self.min_length = min_length
        self.max_length = max_length
        # the length rule before the first PIN, not only after a refusal (issue 17)
        self.rule = QLabel()
        self.rule.setObjectName("subtitle")
        self.rule.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rule.setWordWrap(True)
        self.layout_.addWidget(self.rule)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.layout_.addWidget(self.hint)
        self.pad = PinPad(max_length)
        self.pad.submitted.connect(self.submitted)
        self.pad.typed.connect(self.busy)
        self.layout_.addWidget(self.pad, 1, Qt.AlignmentFlag.AlignHCenter)
        self.closing = ClosingNote()
        self.layout_.addWidget(self.closing)
        self.skip_button = BigButton("secondary")
        self.cancel_button = BigButton("secondary")
        self.skip_button.clicked.connect(self.skipped)
        self.cancel_button.clicked.connect(self.cancelled)
        self.layout_.addLayout(button_row(self.cancel_button, self.skip_button))
        self._state_key = "state.pin_entry"
        self._view = None
        self.retranslate()

    def show_view(self, view) -> None:
        self._view = view
        key = f"state.{str(view.state).lower()}"
        if key != self._state_key:
            self.pad.clear()
        self._state_key = key
        self.skip_button.setVisible(bool(view.pin_skippable))
        self.closing.set_seconds_left(view.seconds_left)
        self.retranslate()
        self.pad.setFocus()

    def retranslate(self) -> None:
        self.set_title(messages.text(self._state_key))
        view = self._view
        hint = ""
        setup = self._state_key == "state.pin_setup"
        self.rule.setText(self.rule_text() if setup else "")
        self.rule.setVisible(setup)
        if view is not None:
            if view.pin_issue is not None:
                hint = messages.text(f"pin.{str(view.pin_issue).lower()}")
            elif view.error is not None:
                hint = messages.text(f"error.{str(view.error).lower()}")
            if view.pin_tries_left is not None and view.error is not None:
                hint += " · " + self.tr("%n tries left", "", view.pin_tries_left)
        self.hint.setText(hint)
        self.skip_button.set_text(self.tr("Skip (no PIN)"))
        self.cancel_button.set_text(self.tr("Cancel"))

    def rule_text(self) -> str:
        if self.min_length == self.max_length:
            rule = self.tr("%1 digits").replace("%1", str(self.min_length))
        else:
            rule = (
                self.tr("%1 to %2 digits")
                .replace("%1", str(self.min_length))
                .replace("%2", str(self.max_length))
            )
        return self.tr("Your PIN: %1, not easy to guess (no 1234 or 1111)").replace("%1", rule)
