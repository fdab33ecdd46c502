"""Measures on dlib's 68-point landmarks (iBUG 300-W order) used by every check.

Points are (x, y) image pixels. "Left" in index names means image-left.
"""

from __future__ import annotations

import cv2
import numpy as np

LEFT_EYE = slice(36, 42)
RIGHT_EYE = slice(42, 48)
N_POINTS = 68


def check_landmarks(landmarks: np.ndarray | None) -> np.ndarray | None:
    """The landmarks as float64 (68, 2), or None when absent or of another layout."""
    if landmarks is None:
        return None
    pts = np.asarray(landmarks, dtype=np.float64)
    if pts.shape != (N_POINTS, 2) or not np.all(np.isfinite(pts)):
        return None
    return pts


def _eye_ratio(eye: np.ndarray) -> float:
    # Soukupova & Cech (2016): vertical lid distances over the eye width.
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    width = np.linalg.norm(eye[0] - eye[3])
    return float(vertical / (2.0 * width)) if width > 0 else 0.0


def eye_aspect_ratio(pts: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes: ~0.3 open, < ~0.2 closed."""
    return (_eye_ratio(pts[LEFT_EYE]) + _eye_ratio(pts[RIGHT_EYE])) / 2.0


def interocular(pts: np.ndarray) -> float:
    """Distance between the eye centres: the scale every residual is divided by."""
    return float(np.linalg.norm(pts[LEFT_EYE].mean(axis=0) - pts[RIGHT_EYE].mean(axis=0)))


def _rms(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1))))


def similarity_residual(ref: np.ndarray, cur: np.ndarray, iod: float | None = None) -> float:
    """RMS landmark error left after the best 2-D similarity (shift, rotation, scale), / IOD.

    A photo moved in its own plane leaves ~0; a head turn, a tilted sheet or an
    expression leaves more.
    """
    matrix, _ = cv2.estimateAffinePartial2D(ref, cur, method=cv2.LMEDS)
    if matrix is None:
        return float("nan")
    mapped = ref @ matrix[:, :2].T + matrix[:, 2]
    scale = interocular(cur) if iod is None else iod  # `iod` when the points are a subset
    return _rms(mapped, cur) / max(scale, 1e-6)


def homography_residual(ref: np.ndarray, cur: np.ndarray) -> float:
    """RMS landmark error left after the best plane-to-plane homography, / IOD.

    Any view of a flat sheet (print, phone, monitor) is a homography of any
    other view, so this stays at landmark noise for them; a real head turning
    shows parallax (nose against cheeks and jaw) and a real face deforms
    (blinks, mouth).
    """
    h, _ = cv2.findHomography(ref, cur, 0)
    if h is None:
        return float("nan")
    mapped = cv2.perspectiveTransform(ref.reshape(-1, 1, 2), h).reshape(-1, 2)
    return _rms(mapped, cur) / max(interocular(cur), 1e-6)


def turn_proxies(pts: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) read straight from the landmarks, in the face's own axes.

    yaw: nose tip offset from the mid-point of the jaw sides (points 2 and 14) over the
    jaw width, > 0 when the nose moves to image right (the person's left, like Pose).
    pitch: nose tip position between the eye line (0) and the mouth corners (1); it
    shrinks when the person looks up. A solver flip of the pose changes neither.
    """
    left, right = pts[LEFT_EYE].mean(axis=0), pts[RIGHT_EYE].mean(axis=0)
    axis = right - left
    axis /= max(float(np.linalg.norm(axis)), 1e-6)
    down = np.array([-axis[1], axis[0]])
    eyes = (left + right) / 2.0
    mouth = (pts[48] + pts[54]) / 2.0
    span = float(np.dot(mouth - eyes, down)) or 1e-6
    jaw_mid = (pts[2] + pts[14]) / 2.0
    width = float(np.linalg.norm(pts[14] - pts[2])) or 1e-6
    yaw = float(np.dot(pts[30] - jaw_mid, axis)) / width
    pitch = float(np.dot(pts[30] - eyes, down)) / span
    return yaw, pitch
