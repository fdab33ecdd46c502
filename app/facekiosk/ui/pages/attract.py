"""Attract/idle page: what the kiosk does, and the three things a person can start."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton

from facekiosk.ui.widgets import BigButton, Page, ResponsiveRow


class AttractPage(Page):
    authenticate = Signal()
    enroll = Signal()
    forget = Signal()
    privacy = Signal()
    admin = Signal()
    language = Signal()

    def __init__(self, attendance: bool = True) -> None:
        super().__init__("page_attract")
        self.attendance = attendance
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addStretch(1)
        self.auth_button = BigButton("primary")
        self.auth_button.clicked.connect(self.authenticate)
        self.enroll_button = BigButton("secondary")
        self.enroll_button.clicked.connect(self.enroll)
        self.layout_.addWidget(self.auth_button)
        self.layout_.addWidget(self.enroll_button)
        self.layout_.addStretch(1)
        footer = ResponsiveRow()
        self.forget_button = QPushButton()
        self.privacy_button = QPushButton()
        self.language_button = QPushButton()
        self.admin_button = QPushButton()
        for b, signal in (
            (self.forget_button, self.forget),
            (self.privacy_button, self.privacy),
            (self.language_button, self.language),
            (self.admin_button, self.admin),
        ):
            b.setProperty("role", "link")
            b.setMinimumHeight(56)
            b.clicked.connect(signal)
            footer.addWidget(b)
        self.layout_.addLayout(footer)
        self.retranslate()

    def retranslate(self) -> None:
        self.set_title(self.tr("Face check-in"))
        self.subtitle.setText(
            self.tr(
                "Look at the camera to check in. Your face is matched on this device only; "
                "no photo is kept."
            )
        )
        self.auth_button.set_text(
            self.tr("Check in / out") if self.attendance else self.tr("Open the door")
        )
        self.enroll_button.set_text(self.tr("Enrol (first time)"))
        for b, text in (
            # the consent text's own words: renaming the text would change its version and
            # ask everyone enrolled to consent again (kiosk/consent.py)
            (self.forget_button, self.tr("Forget me")),
            (self.privacy_button, self.tr("Privacy")),
            (self.language_button, self.tr("Deutsch")),
            (self.admin_button, self.tr("Admin")),
        ):
            b.setText(text)
            b.setAccessibleName(text)
