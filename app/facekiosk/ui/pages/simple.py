"""Small pages: forget-me confirmation, privacy facts and the bundled models' licences."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTextBrowser

from facekiosk.ui.pages.licences import bundled_licences, licences_html
from facekiosk.ui.widgets import BigButton, Page, button_row


class ForgetConfirmPage(Page):
    confirmed = Signal()
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__("page_forget")
        self.body = QLabel()
        self.body.setObjectName("subtitle")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.body, 1)
        self.cancel_button = BigButton("secondary")
        self.confirm_button = BigButton("danger")
        self.cancel_button.clicked.connect(self.cancelled)
        self.confirm_button.clicked.connect(self.confirmed)
        self.layout_.addLayout(button_row(self.cancel_button, self.confirm_button))
        self.retranslate()

    def retranslate(self) -> None:
        self.set_title(self.tr("Delete your data for good?"))
        self.body.setText(
            self.tr(
                "Your face template, PIN and Index ID will be erased from this device now. "
                "Past attendance records keep no link to you. This cannot be undone."
            )
        )
        self.cancel_button.set_text(self.tr("Keep my data"))
        self.confirm_button.set_text(self.tr("Delete everything"))


class PrivacyPage(Page):
    back = Signal()

    def __init__(self) -> None:
        super().__init__("page_privacy")
        self.body = QTextBrowser()
        self.body.setObjectName("privacy_text")
        self.layout_.addWidget(self.body, 1)
        self.back_button = BigButton("primary")
        self.back_button.clicked.connect(self.back)
        self.layout_.addWidget(self.back_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.set_title(self.tr("Your privacy"))
        self.body.setMarkdown(self.privacy_markdown())
        cursor = self.body.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertBlock()  # the licences start a section of their own
        cursor.insertHtml(
            licences_html(
                bundled_licences(),
                self.tr("Face models in this kiosk and their licences"),
                self.tr("(licence file missing)"),
            )
        )
        self.body.moveCursor(cursor.MoveOperation.Start)
        self.back_button.set_text(self.tr("Back"))

    def privacy_markdown(self) -> str:
        return (
            self.tr(
                "**What is stored.** An anonymous Index ID (a random number), a face template "
                "(a list of numbers computed from your face, not a photo), the time you "
                "enrolled, the consent version you accepted and, if you chose one, a hash of "
                "your PIN. Check-ins are stored with the Index ID only.\n\n"
                "**What is never stored.** Camera pictures. Frames are analysed in memory and "
                "dropped at once. A face that fails several times in a row is remembered "
                "as numbers, in memory only, until its short pause ends.\n\n"
                "**Where.** Only on this device, encrypted (AES-256). Nothing is sent over a "
                "network.\n\n"
                "**How to delete.** Press *Forget me* on the start screen and look at "
                "the camera; or ask an administrator. Deletion erases your template from every "
                "file and gives you a receipt."
            )
        )
