"""The tracked face: the same person frame to frame, or the attempt starts again."""

from __future__ import annotations

from facekiosk.engine.base import TRACK_MIN_IOU
from facekiosk.engine.types import Face, box_iou
from facekiosk.kiosk.codes import State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.transitions import Event


def same_track(core: FlowCore, face: Face) -> bool:
    box = core.attempt.bio.track_box
    return box is None or box_iou(box, face.bbox) >= TRACK_MIN_IOU


def restart_scan(core: FlowCore, outcome: OutcomeRecorder, now: float) -> None:
    """Someone else is in view: the attempt starts again from capture (liveness too)."""
    if core.state != State.CAPTURE:
        outcome.emit("session", "restart", reason="TRACK_CHANGED")
    core.drop_biometrics()
    core.go(Event.TRACK_CHANGED, now)
