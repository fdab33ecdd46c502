"""Consent page: the versioned text in a scrollable view, accept/decline as large buttons.

Accept is enabled once the end of the text has been on screen (scrolled to, or
it all fits), so nobody accepts words they could not have seen; a hint above the
buttons says so until then (a grey "I agree" alone read as broken, issue 17).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QTextBrowser

from facekiosk.ui.widgets import BigButton, ClosingNote, Page, button_row


class ConsentPage(Page):
    accepted = Signal()
    declined = Signal()
    busy = Signal()  # the text was scrolled: the person is reading, not gone

    def __init__(self) -> None:
        super().__init__("page_consent")
        self.text = QTextBrowser()
        self.text.setObjectName("consent_text")
        self.text.setOpenExternalLinks(False)
        self.layout_.addWidget(self.text, 1)
        self.version = QLabel()
        self.version.setObjectName("fineprint")
        self.layout_.addWidget(self.version)
        self.scroll_hint = QLabel()
        self.scroll_hint.setObjectName("hint")
        self.scroll_hint.setWordWrap(True)
        self.scroll_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.scroll_hint)
        self.closing = ClosingNote()
        self.layout_.addWidget(self.closing)
        self.decline_button = BigButton("secondary")
        self.accept_button = BigButton("primary")
        self.decline_button.clicked.connect(self.declined)
        self.accept_button.clicked.connect(self.accepted)
        self.layout_.addLayout(button_row(self.decline_button, self.accept_button))
        self.text.verticalScrollBar().valueChanged.connect(self._check_read)
        self.text.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.text.verticalScrollBar().rangeChanged.connect(self._check_read)
        self._version = ""
        self.retranslate()

    def set_consent(self, markdown: str, version: str) -> None:
        if version != self._version:
            self._version = version
            self._set_read(False)  # a new text must be read to its end too
            bar = self.text.verticalScrollBar()
            bar.blockSignals(True)  # replacing the text passes through an empty range
            self.text.setMarkdown(markdown)
            bar.setValue(0)
            bar.blockSignals(False)
            self.version.setText(self.tr("Consent version %1").replace("%1", version))
        self._check_read()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._check_read)  # after layout: does the text fit as it is?

    def _scrolled(self, *_: int) -> None:
        if self.text.isVisible():  # not the reset to the top when a new text is set
            self.busy.emit()

    def _check_read(self, *_: int) -> None:
        if not self.text.isVisible():  # not laid out yet: the scroll range means nothing
            return
        bar = self.text.verticalScrollBar()
        if bar.maximum() == 0 or bar.value() >= bar.maximum() - 4:
            self._set_read(True)

    def _set_read(self, read: bool) -> None:
        self.accept_button.setEnabled(read)
        self.scroll_hint.setVisible(not read)

    def reset(self) -> None:
        self._version = ""
        self._set_read(False)
        self.closing.hide()

    def retranslate(self) -> None:
        self.set_title(self.tr("Before we start"))
        self.decline_button.set_text(self.tr("No thanks"))  # the consent text's own words
        self.accept_button.set_text(self.tr("I agree"))
        hint = self.tr("Scroll to the end of the text: then \"I agree\" can be pressed")
        self.scroll_hint.setText(hint)
        self.accept_button.setToolTip(hint)
