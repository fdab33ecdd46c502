"""KioskController: wires source -> capture thread -> inference worker -> session, for the
window. It owns the threads and the engine; every session call runs on the worker thread,
and every frame goes through `pipeline.step.process_frame` (one engine call at most).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.types import Face
from facekiosk.kiosk.codes import State
from facekiosk.pipeline.capture import CaptureThread, LatestFrame
from facekiosk.pipeline.sources import FrameSource
from facekiosk.pipeline.step import process_frame
from facekiosk.settings import Settings
from facekiosk.ui.inference import InferenceResult, InferenceWorker

log = logging.getLogger(__name__)

TICK_MS = 250  # session timeouts are checked this often even when no frame arrives
INPUT_NOTE_EVERY_S = 1.0  # an input page's idle timer is 30 s: a second's grain is plenty


class KioskController(QObject):
    view_changed = Signal(object)  # SessionView
    inference = Signal(object)  # InferenceResult
    capture_status = Signal(object)  # CaptureStatus
    error = Signal(str)

    def __init__(
        self,
        source: FrameSource,
        engine: FaceEngine,
        session: Any,
        settings: Settings,
        *,
        data_dir: Path | None = None,
        vault: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.engine = engine
        self.session = session
        self.settings = settings
        self.data_dir = data_dir
        self.vault = vault
        self.slot = LatestFrame()
        self.capture = CaptureThread(source, self.slot, self.capture_status.emit)
        self._last_input_note = float("-inf")
        self.worker = InferenceWorker(
            self.slot, self._process, snapshot=lambda: session.view, with_frame=True
        )
        self.worker.result.connect(self._on_result)
        self.worker.view_changed.connect(self._on_view)
        self.worker.failed.connect(self.error)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(lambda: self.post(session.tick))
        self.view = session.view
        self._analyze_idle = bool(getattr(settings.kiosk, "auto_start", False))

    # --------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self.update_keep_frames()
        self.capture.start()
        self.worker.start()
        self._tick.start()

    def stop(self) -> None:
        self._tick.stop()
        self.worker.stop()
        self.capture.stop()
        self.slot.clear()

    # --------------------------------------------------------------- worker side
    def _process(self, frame: np.ndarray, t: float) -> tuple[list[Face], Any]:
        # the session says what this frame needs; one engine call at most
        return process_frame(self.engine, self.session, frame, t)

    # --------------------------------------------------------------- GUI side
    def _on_result(self, result: InferenceResult) -> None:
        self.inference.emit(result)
        if result.view is not None:
            self._on_view(result.view)

    def _on_view(self, view) -> None:
        previous = self.view
        self.view = view
        self.update_keep_frames()
        if previous is None or view != previous:
            self.view_changed.emit(view)

    def update_keep_frames(self, *, admin_capture: bool = False) -> None:
        """Idle without auto-start: nobody is being served, so no frame is kept."""
        serving = self.view.state != State.IDLE or self._analyze_idle
        self.capture.set_keep_frames(serving or admin_capture)

    def post(self, call: Callable[[], Any]) -> None:
        self.worker.post(call)

    def start_auth(self) -> None:
        self.post(self.session.start_auth)

    def start_enroll(self) -> None:
        self.post(self.session.start_enroll)

    def start_forget_me(self) -> None:
        self.post(self.session.start_forget_me)

    def retry(self) -> None:
        """"Try again" on an error page: the same kind of attempt as the one that failed."""
        purpose = str(self.view.purpose) if self.view.purpose is not None else "auth"
        start = {"enroll": self.start_enroll, "forget": self.start_forget_me}
        start.get(purpose, self.start_auth)()

    def set_language(self, language: str) -> None:
        """The consent text follows the on-screen language (posted: applied in order with
        the person's next button press)."""
        self.post(lambda: self.session.set_language(language))

    def accept_consent(self) -> None:
        self.post(self.session.accept_consent)

    def decline_consent(self) -> None:
        self.post(self.session.decline_consent)

    def enter_pin(self, pin: str) -> None:
        self.post(lambda: self.session.enter_pin(pin))

    def skip_pin(self) -> None:
        self.post(self.session.skip_pin)

    def note_input(self) -> None:
        """Scrolling or a digit: at most one post a second (a scroll fires dozens)."""
        now = time.monotonic()
        if now - self._last_input_note >= INPUT_NOTE_EVERY_S:
            self._last_input_note = now
            self.post(self.session.note_input)

    def confirm_forget(self) -> None:
        self.post(self.session.confirm_forget)

    def cancel(self) -> None:
        self.post(self.session.cancel)

    def set_paused(self, paused: bool) -> None:
        self.worker.set_paused(paused)
