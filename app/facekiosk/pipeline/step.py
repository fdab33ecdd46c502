"""One frame through the kiosk: ask the session what it needs, make ONE engine call, hand
the faces to the session. Every caller (the GUI's inference worker, benches, tests) uses
this step, so a frame never costs a second round trip to the engine process."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from facekiosk.engine.types import Face, FrameRequest
from facekiosk.kiosk.codes import SCAN_STATES, State


class FrameAnalyzer(Protocol):
    def analyze(self, image: np.ndarray, request: FrameRequest | None = None) -> list[Face]: ...


class FrameSession(Protocol):
    """What the step needs from `facekiosk.kiosk.KioskSession`."""

    def frame_request(self) -> FrameRequest | None: ...

    def tick(self, t: float | None = None) -> Any: ...

    def on_frame(self, image: np.ndarray, faces: list[Face], t: float | None = None) -> Any: ...


def process_frame(
    engine: FrameAnalyzer, session: FrameSession, frame: np.ndarray, t: float
) -> tuple[list[Face], Any]:
    """(faces, the session's view) for one frame; no engine call when the session's current
    step needs no analysis (attract screen, PIN pad, result page)."""
    request = session_request(session)
    if request is None:
        return [], session.tick(t)
    faces = engine.analyze(frame, request)
    return faces, session.on_frame(frame, faces, t)


def session_request(session: Any) -> FrameRequest | None:
    """`session.frame_request()`. Sessions from before that method existed (the kiosk
    branch adds it) get what the pipeline asked for then: boxes and landmarks in the
    scanning states (and IDLE with kiosk.auto_start), the session embedding lazily.
    TODO(merge): drop this fallback once `KioskSession.frame_request` is on main."""
    ask = getattr(session, "frame_request", None)
    if ask is not None:
        request: FrameRequest | None = ask()
        return request
    state = session.state
    auto_start = bool(session.settings.kiosk.auto_start)
    if state in SCAN_STATES or (state == State.IDLE and auto_start):
        return FrameRequest()
    return None
