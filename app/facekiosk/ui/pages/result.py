"""Result page: granted / denied / enrolled (with the Index ID receipt), or an error with
its stable code."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from facekiosk.ui import messages
from facekiosk.ui.widgets import BigButton, Page


class ResultPage(Page):
    done = Signal()

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
        self.layout_.addStretch(1)
        self.done_button = BigButton("primary")
        self.done_button.clicked.connect(self.done)
        self.layout_.addWidget(self.done_button)
        self._view = None
        self.retranslate()

    @property
    def is_error(self) -> bool:
        v = self._view
        return v is not None and (v.error is not None or str(v.result.kind) == "ERROR")

    def show_view(self, view) -> None:
        self._view = view
        self.setObjectName("page_error" if self.is_error else "page_result")
        self.setProperty("outcome", "error" if self.is_error else "ok")
        self.style().unpolish(self)
        self.style().polish(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.done_button.set_text(self.tr("Done"))
        v = self._view
        if v is None:
            return
        self.set_title(messages.text(v.message_key))
        self.icon.setText("✕" if self.is_error else "✓")
        self.icon.setProperty("outcome", "error" if self.is_error else "ok")
        self.icon.style().polish(self.icon)
        r = v.result
        lines = []
        receipt = ""
        if self.is_error and v.error is not None:
            lines.append(self.tr("Error code: %1").replace("%1", str(v.error)))
        if r is not None and str(r.kind) == "ENROLLED" and r.index_id:
            lines.append(self.tr("Your anonymous Index ID (shown only now):"))
            receipt = r.index_id
            if r.receipt_code:
                receipt += "\n" + self.tr("Receipt code: %1").replace("%1", r.receipt_code)
        elif r is not None and str(r.kind) == "FORGOTTEN" and r.receipt_code:
            receipt = self.tr("Deletion receipt: %1").replace("%1", r.receipt_code)
        self.detail.setText("\n".join(lines))
        self.receipt.setText(receipt)
        self.receipt.setVisible(bool(receipt))
