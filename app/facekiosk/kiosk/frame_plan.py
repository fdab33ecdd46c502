"""What the next camera frame needs from the engine: one `FrameRequest` per frame.

The pipeline makes exactly one `engine.analyze(frame, request)` call with it (the engine
runs in another process: one round trip, one copy of the frame), then `on_frame`.
- None outside the scan (consent, PIN pages, result; IDLE unless kiosk.auto_start):
  nothing to analyse, the pipeline only ticks the session.
- landmarks always while scanning (quality gate, pose, blink, masks);
- embed="primary" on frames a match step, the enrolment anchor or a template frame may
  use: CAPTURE (its first good frame is the anchor at enrolment, and at sign-in it goes
  straight on to the first match step), sign-in LIVENESS (the streak builds during
  liveness), MATCHING, TEMPLATE when the frame is likely to be taken (not too soon after
  the last template frame, not while waiting for a pose change: evidence.TemplateFrames.
  worth_embedding). Enrolment LIVENESS needs none;
- antispoof while the attempt's liveness level is not "off" in CAPTURE and LIVENESS;
- track_box = the tracked face, so the engine embeds the same face the session follows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.liveness.geometry import box_iou
from facekiosk.engine.types import Face, FrameRequest
from facekiosk.kiosk.attempt import Box
from facekiosk.kiosk.codes import SCAN_STATES, Purpose, State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.steps.liveness import liveness_level
from facekiosk.kiosk.steps.track import TRACK_MIN_IOU


def frame_request(core: FlowCore) -> FrameRequest | None:
    state, purpose = core.state, core.attempt.purpose
    if state == State.IDLE and core.settings.kiosk.auto_start:
        state, purpose = State.CAPTURE, Purpose.AUTH  # a face in view starts a sign-in
    if state not in SCAN_STATES:
        return None
    template = core.attempt.bio.template
    needs_embedding = not (
        (state == State.LIVENESS and purpose == Purpose.ENROLL)
        or (state == State.TEMPLATE and not template.worth_embedding(core.clock()))
    )
    live = liveness_level(core.settings, purpose) != "off"
    return FrameRequest(
        landmarks=True,
        embed="primary" if needs_embedding else "none",
        antispoof=live and state in (State.CAPTURE, State.LIVENESS),
        max_faces=None,
        track_box=core.attempt.bio.track_box,
    )


def primary_face(faces: list[Face], track_box: Box | None) -> Face | None:
    """The FrameRequest contract's primary face: the best overlap (IoU >= 0.3) with the
    tracked box, else the largest."""
    if not faces:
        return None
    if track_box is not None:
        best = max(faces, key=lambda f: box_iou(track_box, f.bbox))
        if box_iou(track_box, best.bbox) >= TRACK_MIN_IOU:
            return best
    return max(faces, key=lambda f: f.width * f.height)


def analyze_for(engine: FaceEngine, image: np.ndarray, request: FrameRequest) -> list[Face]:
    """The one engine call a frame gets, for tools and tests that drive a session in process
    (the GUI's pipeline does the same through the engine process): `engine.analyze(image,
    request)` once the engine takes a FrameRequest; an engine that does not yet detects
    without embeddings and embeds the primary face (same process: one frame, one pass)."""
    analyze: Callable[..., list[Face]] = engine.analyze  # either signature
    if "request" in inspect.signature(analyze).parameters:
        return analyze(image, request)
    faces = engine.analyze(image, embed=request.embed == "all", max_faces=request.max_faces)
    primary = primary_face(faces, request.track_box)
    if request.embed == "primary" and primary is not None:
        engine.embed(image, [primary])
    return faces
