"""Admin login: the admin PIN on the pad, with lockout after failures."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from facekiosk.ui.widgets import BigButton, Page, PinPad


class AdminLoginPage(Page):
    submitted = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__("page_admin_login")
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.layout_.addWidget(self.hint)
        self.pad = PinPad(32)
        self.pad.submitted.connect(self.submitted)
        self.layout_.addWidget(self.pad, 1, Qt.AlignmentFlag.AlignHCenter)
        self.back_button = BigButton("secondary")
        self.back_button.clicked.connect(self.back)
        self.layout_.addWidget(self.back_button)
        self.retranslate()

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)

    def retranslate(self) -> None:
        self.set_title(self.tr("Administrator"))
        self.back_button.set_text(self.tr("Back"))
