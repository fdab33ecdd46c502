"""What the session needs from the engine: metadata only.

The session never runs the engine: the pipeline makes one `engine.analyze(frame,
session.frame_request())` call per frame and hands the faces to `on_frame`. A real
FaceEngine (or the remote one in the engine process) satisfies this.
"""

from __future__ import annotations

from typing import Protocol


class EngineInfo(Protocol):
    name: str  # registry name, e.g. "dlib"
    model_id: str
    dim: int
    default_threshold: float  # the engine's calibrated cosine threshold
