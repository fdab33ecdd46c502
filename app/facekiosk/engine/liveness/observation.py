"""What the checks read from one frame's face: landmarks, eye openness, pose, time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facekiosk.engine.liveness.eye_patch import aligned_patch
from facekiosk.engine.liveness.geometry import check_landmarks, eye_aspect_ratio, interocular
from facekiosk.engine.types import Face


@dataclass(frozen=True)
class Observation:
    t: float
    points: np.ndarray  # (68, 2) float64
    ear: float
    yaw: float | None
    pitch: float | None
    iod: float
    patch: np.ndarray | None = None  # canonical grey face (eye_patch.py) for blink checks

    @classmethod
    def from_face(cls, face: Face, t: float, grey: np.ndarray | None = None) -> Observation | None:
        """None when the engine gave no 68-point landmarks (the checks need them).
        `grey`: the frame in grey levels, for the photometric blink check."""
        pts = check_landmarks(face.landmarks)
        if pts is None:
            return None
        ear = face.eye_openness if face.eye_openness is not None else eye_aspect_ratio(pts)
        pose = face.pose
        yaw = pose.yaw if pose is not None and np.isfinite(pose.yaw) else None
        pitch = pose.pitch if pose is not None and np.isfinite(pose.pitch) else None
        patch = aligned_patch(grey, pts) if grey is not None else None
        return cls(
            t=t,
            points=pts,
            ear=float(ear),
            yaw=yaw,
            pitch=pitch,
            iod=interocular(pts),
            patch=patch,
        )
