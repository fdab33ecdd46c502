"""Result page: granted / denied / enrolled (with the receipt code to note), or an error
with one line of advice, its stable code, a countdown while a pause runs and "Try again"
where trying again can help (issue 17)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from facekiosk.ui import messages
from facekiosk.ui.widgets import BigButton, Page, button_row


def clock_text(seconds: float) -> str:
    """0:45, 2:00: a countdown a person reads at a glance."""
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60}:{whole % 60:02d}"


class ResultPage(Page):
    done = Signal()
    retry = Signal()

    def __init__(self) -> None:
        super().__init__("page_result")
        self.icon = QLabel()
        self.icon.setObjectName("result_icon")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.insertWidget(0, self.icon)
        self.detail = QLabel()
        self.detail.setObjectName("subtitle")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.detail)
        self.receipt = QLabel()
        self.receipt.setObjectName("receipt")
        self.receipt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.receipt.setWordWrap(True)
        self.receipt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.receipt)
        self.countdown = QLabel()
        self.countdown.setObjectName("hint")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.countdown)
        self.fineprint = QLabel()
        self.fineprint.setObjectName("fineprint")
        self.fineprint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fineprint.setWordWrap(True)
        self.fineprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.fineprint)
        self.layout_.addStretch(1)
        self.retry_button = BigButton("secondary")
        self.retry_button.clicked.connect(self.retry)
        self.done_button = BigButton("primary")
        self.done_button.clicked.connect(self.done)
        self.layout_.addLayout(button_row(self.retry_button, self.done_button))
        self._view = None
        self.retranslate()

    @property
    def is_error(self) -> bool:
        v = self._view
        return v is not None and (v.error is not None or str(v.result.kind) == "ERROR")

    @property
    def can_retry(self) -> bool:
        v = self._view
        return v is not None and v.error is not None and str(v.error) in messages.RETRYABLE

    def show_view(self, view) -> None:
        self._view = view
        self.setObjectName("page_error" if self.is_error else "page_result")
        self.setProperty("outcome", "error" if self.is_error else "ok")
        self.style().unpolish(self)
        self.style().polish(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.done_button.set_text(self.tr("Done"))
        self.retry_button.set_text(self.tr("Try again"))
        v = self._view
        self.retry_button.setVisible(self.can_retry)
        if v is None:
            return
        self.set_title(messages.text(v.message_key))
        self.icon.setText("✕" if self.is_error else "✓")
        self.icon.setProperty("outcome", "error" if self.is_error else "ok")
        self.icon.style().polish(self.icon)
        r = v.result
        detail, receipt, fine = "", "", ""
        if self.is_error and v.error is not None:
            detail = messages.advice(str(v.error))
            fine = self.tr("Error code: %1").replace("%1", str(v.error))
        if r is not None and str(r.kind) == "ENROLLED" and r.index_id:
            # the receipt code is short enough to write down or photograph; the Index ID
            # is shown once too, for the person who wants the whole thing
            detail = self.tr("Note your receipt code: it proves this enrolment later.")
            receipt = r.receipt_code or r.index_id
            fine = self.tr("Your anonymous Index ID (shown only now): %1").replace(
                "%1", r.index_id
            )
        elif r is not None and str(r.kind) == "FORGOTTEN" and r.receipt_code:
            receipt = self.tr("Deletion receipt: %1").replace("%1", r.receipt_code)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.receipt.setText(receipt)
        self.receipt.setVisible(bool(receipt))
        self.fineprint.setText(fine)
        self.fineprint.setVisible(bool(fine))
        self._show_countdown(v)

    def _show_countdown(self, v) -> None:
        wait = v.wait_s
        waiting = wait is not None and wait > 0
        # "Try again" only once the pause is over: pressing it earlier would just fail
        self.retry_button.setEnabled(not waiting)
        if waiting:
            text = self.tr("You can try again in %1").replace("%1", clock_text(wait))
        elif r_kind(v) == "ENROLLED" and v.seconds_left is not None:
            text = self.tr("This page closes by itself in %1 s").replace(
                "%1", str(int(v.seconds_left + 0.999))
            )
        else:
            text = ""
        self.countdown.setText(text)
        self.countdown.setVisible(bool(text))


def r_kind(view) -> str:
    return str(view.result.kind) if view.result is not None else ""
