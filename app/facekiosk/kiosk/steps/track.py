"""The tracked face: the same person frame to frame, or the attempt starts again."""

from __future__ import annotations

from facekiosk.engine.base import TRACK_MIN_IOU
from facekiosk.engine.types import Face, box_iou
from facekiosk.kiosk.codes import State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.transitions import Event


def same_track(core: FlowCore, face: Face) -> bool:
    """The face overlaps the tracked box, or, when it jumped, carries the same person's
    vector as the tracked face's last one. A kiosk that analyses 4 frames a second sees
    a head turn as a jump: zubair's live clip moved ~80 px between two frames 0.25 s apart
    (box IoU 0.295 < TRACK_MIN_IOU), the scan restarted, his liveness session (the model
    already said live) was dropped and the new one began in his score dip: 4 of the 5
    PAD_ATTACKs of `bench flow-liveness --frame-ms 250` (0 after). Someone else stepping
    in is still another track: their vector is not the tracked person's."""
    box = core.attempt.bio.track_box
    if box is None or box_iou(box, face.bbox) >= TRACK_MIN_IOU:
        return True
    last, now = core.attempt.bio.source, face.embedding
    if last is None or now is None or not last.comparable(now):
        return False
    return last.similarity(now) >= core.threshold


def restart_scan(core: FlowCore, outcome: OutcomeRecorder, now: float) -> None:
    """Someone else is in view: the attempt starts again from capture (liveness too)."""
    if core.state != State.CAPTURE:
        outcome.emit("session", "restart", reason="TRACK_CHANGED")
    core.drop_biometrics()
    core.go(Event.TRACK_CHANGED, now)
