"""Admin login: the admin PIN on the pad, with lockout after failures."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from facekiosk.ui.widgets import BigButton, Page, PinPad, button_row


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
        # a passphrase typed on a service keyboard works as well as digits on the pad
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self._submit_passphrase)
        self.back_button = BigButton("secondary")
        self.back_button.clicked.connect(self.back)
        self.layout_.addLayout(button_row(self.passphrase, self.back_button))
        self.retranslate()

    def _submit_passphrase(self) -> None:
        secret = self.passphrase.text()
        self.passphrase.clear()
        if secret:
            self.submitted.emit(secret)

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)

    def retranslate(self) -> None:
        self.set_title(self.tr("Administrator"))
        self.passphrase.setPlaceholderText(self.tr("or a passphrase, then Enter"))
        self.passphrase.setAccessibleName(self.tr("Admin passphrase"))
        self.back_button.set_text(self.tr("Back"))
