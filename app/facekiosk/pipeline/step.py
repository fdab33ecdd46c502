"""One frame through the kiosk: ask the session what it needs, make ONE engine call, hand
the faces to the session. Every caller (the GUI's inference worker, benches, tests) uses
this step, so a frame never costs a second round trip to the engine process."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from facekiosk.engine.types import Face, FrameRequest


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
    request = session.frame_request()
    if request is None:
        return [], session.tick(t)
    faces = engine.analyze(frame, request)
    return faces, session.on_frame(frame, faces, t)
