"""Re-enrol an Index ID from the camera: the admin stands by, the person looks at the camera,
a few good frames make the new template, the old one is purged (vault.replace_template).

Runs on the inference worker thread (the engine's thread); the admin being present
stands in for liveness, as at a help desk. The result comes back by signal.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from facekiosk.engine import quality
from facekiosk.engine.types import Embedding, FrameRequest

log = logging.getLogger(__name__)

FRAMES = 3
# One engine call per frame: the primary face (the largest, the quality gate's choice)
# comes back embedded; with more than one face the gate refuses the frame anyway.
REQUEST = FrameRequest(embed="primary")
FRAME_INTERVAL_S = 0.3
TIMEOUT_S = 20.0


@dataclass(frozen=True)
class ReenrolOutcome:
    index_id: str
    ok: bool
    message: str  # a guidance/error code or "replaced"


class Reenroller(QObject):
    finished = Signal(object)  # ReenrolOutcome

    def __init__(self, controller: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller

    def start(self, index_id: str) -> None:
        self.controller.post(lambda: self.finished.emit(self._run(index_id)))

    def _run(self, index_id: str) -> ReenrolOutcome:
        self.controller.update_keep_frames(admin_capture=True)
        try:
            return self._capture_and_replace(index_id)
        finally:
            self.controller.update_keep_frames()

    def _capture_and_replace(self, index_id: str) -> ReenrolOutcome:
        c = self.controller
        settings = c.settings
        embeddings: list[Embedding] = []
        seq, deadline, last = 0, time.monotonic() + TIMEOUT_S, "NO_FACE"
        while len(embeddings) < FRAMES and time.monotonic() < deadline:
            packet = c.slot.wait_newer(seq, 1.0)
            if packet is None:
                continue
            seq = packet.seq
            faces = c.engine.analyze(packet.frame, REQUEST)
            verdict = quality.assess(
                faces, packet.frame.shape, "enroll", settings.quality, packet.frame
            )
            if not verdict.ok or verdict.face is None or verdict.face.embedding is None:
                last = str(verdict.codes[0]) if verdict.codes else "QUALITY"
                continue
            embeddings.append(verdict.face.embedding)
            time.sleep(FRAME_INTERVAL_S)
        if len(embeddings) < FRAMES:
            return ReenrolOutcome(index_id, False, last)
        try:
            c.vault.replace_template(index_id, embeddings, actor="admin")
        except Exception as exc:  # unknown id, wrong model space: shown to the admin
            log.warning("re-enrol failed: %s", type(exc).__name__)
            return ReenrolOutcome(index_id, False, str(exc))
        log.info("admin re-enrolled one Index ID")
        return ReenrolOutcome(index_id, True, "replaced")
