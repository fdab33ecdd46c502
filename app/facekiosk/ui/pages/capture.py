"""Capture page: the live preview with guidance in words and arrows, liveness prompts,
and the progress of the match or the enrolment frames."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar

from facekiosk.kiosk.codes import SCAN_STATES, State
from facekiosk.ui import messages
from facekiosk.ui.preview import PreviewWidget
from facekiosk.ui.widgets import BigButton, Page


class CapturePage(Page):
    cancelled = Signal()

    def __init__(self, preview: PreviewWidget) -> None:
        super().__init__("page_capture")
        self.preview = preview
        self.layout_.addWidget(preview, 1)
        self.instruction = QLabel()
        self.instruction.setObjectName("instruction")
        self.instruction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.instruction.setWordWrap(True)
        self.layout_.addWidget(self.instruction)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.layout_.addWidget(self.progress)
        self.cancel_button = BigButton("secondary")
        self.cancel_button.clicked.connect(self.cancelled)
        self.layout_.addWidget(self.cancel_button)
        self._key = "state.capture"
        self._checking = False  # LIVENESS: the title says what is going on, not "look"
        self.retranslate()

    def show_view(self, view) -> None:
        """Words, arrow and progress for one SessionView (CAPTURE/LIVENESS/MATCHING/TEMPLATE)."""
        state = view.state
        prompt = view.liveness_prompt
        self._key = view.message_key
        self._set_instruction()
        self.instruction.setProperty("prompt", bool(prompt))
        # the same prompt after a wrong move: another colour, so the change is seen
        self.instruction.setProperty("retry", bool(view.liveness_retry))
        self.instruction.style().polish(self.instruction)
        if self._checking != (state == State.LIVENESS):
            self._checking = state == State.LIVENESS
            self._set_title()
            self._set_instruction()
        self.progress.setAccessibleName(self.tr("Progress"))
        if state == State.LIVENESS:
            value, arrow = view.liveness_progress, messages.ARROW_FOR_PROMPT.get(prompt or "")
        else:
            value = view.progress
            arrow = messages.ARROW_FOR_GUIDANCE.get(view.guidance[0]) if view.guidance else None
        self.progress.setValue(round(100 * value))
        ok = not view.guidance and view.face_box is not None
        # the ring shows progress once a face is accepted (not during capture guidance)
        shown = value if state in SCAN_STATES - {State.CAPTURE} else None
        self.preview.set_guidance(ok=ok, arrow=arrow, progress=shown, message=self._key)

    def _set_title(self) -> None:
        # "Look at the camera" above "Look down" read as a contradiction (issue 17)
        if self._checking:
            self.set_title(messages.text("state.liveness"))
        else:
            self.set_title(self.tr("Look at the camera"))

    def _set_instruction(self) -> None:
        # between liveness prompts the session's words are the title's: the window said
        # "Checking that you are really here" twice, above and below the picture. The
        # line stays (a space), so the picture does not jump when the next prompt comes.
        text = messages.text(self._key)
        self.instruction.setText("\u00a0" if text == self.title.text() else text)

    def retranslate(self) -> None:
        self._set_title()
        self._set_instruction()
        self.cancel_button.set_text(self.tr("Cancel"))
