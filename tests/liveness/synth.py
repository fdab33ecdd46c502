"""Synthetic faces with known actions: 68 landmarks of a 3-D head model, rendered.

The head is a rough depth model of iBUG-68 points (nose forward, jaw contour
back), rotated by a known yaw/pitch and projected; eyes close by moving the
lids together; a flat "sheet" variant maps the frontal points by a homography
(what a tilted photo does). `render` draws the face so the photometric blink
check has real pixels to compare.
"""

from __future__ import annotations

import cv2
import numpy as np

from facekiosk.engine.types import Face, Pose

# Frontal 2-D layout (x right, y down), inter-ocular distance ~1, origin between the eyes.
_JAW = [(-1.0 + 0.125 * i, 0.0) for i in range(17)]


def _frontal() -> np.ndarray:
    pts = np.zeros((68, 3))
    for i in range(17):  # jaw: a U from ear to ear
        a = np.pi * i / 16
        pts[i] = (-np.cos(a) * 1.05, 0.15 + np.sin(a) * 1.25, 0.55 * abs(np.cos(a)) + 0.05)
    for i in range(5):  # brows
        pts[17 + i] = (-0.85 + 0.15 * i, -0.35 - 0.05 * np.sin(np.pi * i / 4), -0.05)
        pts[22 + i] = (0.25 + 0.15 * i, -0.35 - 0.05 * np.sin(np.pi * i / 4), -0.05)
    for i in range(4):  # nose bridge 27-30, forward towards the tip
        pts[27 + i] = (0.0, -0.1 + 0.17 * i, -0.1 - 0.15 * i)
    for i in range(5):  # nostrils 31-35
        pts[31 + i] = (-0.2 + 0.1 * i, 0.55, -0.35 - 0.1 * (2 - abs(i - 2)))

    def eye(cx: float) -> list[tuple[float, float, float]]:
        w, h = 0.3, 0.045
        return [
            (cx - w / 2, 0, 0),
            (cx - w / 6, -h, -0.02),
            (cx + w / 6, -h, -0.02),
            (cx + w / 2, 0, 0),
            (cx + w / 6, h, -0.02),
            (cx - w / 6, h, -0.02),
        ]

    pts[36:42] = eye(-0.5)
    pts[42:48] = eye(0.5)
    for i in range(12):  # outer lip
        a = 2 * np.pi * i / 12
        pts[48 + i] = (-np.cos(a) * 0.42, 0.9 - np.sin(a) * 0.12, -0.25)
    for i in range(8):  # inner lip
        a = 2 * np.pi * i / 8
        pts[60 + i] = (-np.cos(a) * 0.3, 0.9 - np.sin(a) * 0.05, -0.25)
    return pts


FRONTAL = _frontal()


def head_points(
    yaw: float = 0.0,
    pitch: float = 0.0,
    eyes_open: float = 1.0,
    *,
    centre: tuple[float, float] = (320.0, 240.0),
    scale: float = 70.0,
) -> np.ndarray:
    """(68, 2) image points of the head turned by yaw/pitch (degrees, Pose signs)."""
    p = FRONTAL.copy()
    for eye in (slice(36, 42), slice(42, 48)):  # lids move towards the eye's mid line
        p[eye][[1, 2, 4, 5], 1] *= eyes_open
    y, x = np.radians(yaw), np.radians(pitch)
    # yaw > 0: the person turns to their own left = the nose moves to image right.
    rot_y = np.array([[np.cos(y), 0, -np.sin(y)], [0, 1, 0], [np.sin(y), 0, np.cos(y)]])
    # pitch > 0: looking up = the nose moves up in the image.
    rot_x = np.array([[1, 0, 0], [0, np.cos(x), np.sin(x)], [0, -np.sin(x), np.cos(x)]])
    q = p @ rot_y.T @ rot_x.T
    return q[:, :2] * scale + np.asarray(centre)


def sheet_points(tilt: float, eyes_open: float = 1.0) -> np.ndarray:
    """A frontal photo whose sheet is tilted: a homography of the frontal points."""
    flat = head_points(0.0, 0.0, eyes_open)
    src = np.float32([[220, 140], [420, 140], [420, 340], [220, 340]])
    dst = src.copy()
    dst[[1, 2], 0] -= 60 * tilt  # the right edge recedes
    dst[1, 1] += 20 * tilt
    dst[2, 1] -= 20 * tilt
    h = cv2.getPerspectiveTransform(src, dst)
    return cv2.perspectiveTransform(flat.reshape(-1, 1, 2).astype(np.float32), h).reshape(-1, 2)


def _skin_texture(size: tuple[int, int]) -> np.ndarray:
    """A frontal face with a fixed blotchy skin texture (real skin is never flat)."""
    rng = np.random.default_rng(12345)
    noise = cv2.GaussianBlur(rng.normal(0, 25, (size[1], size[0])).astype(np.float32), (0, 0), 3)
    img = np.full((size[1], size[0], 3), 90, np.float32)
    pts = np.round(head_points()).astype(np.int32)
    mask = np.zeros((size[1], size[0]), np.uint8)
    cv2.fillPoly(mask, [cv2.convexHull(pts[:27])], 255)
    img[mask > 0] = (150, 170, 200)
    img += noise[:, :, None]
    cv2.polylines(img, [pts[27:31]], False, (60, 60, 90), 2)
    cv2.polylines(img, [pts[31:36]], False, (60, 60, 90), 2)
    cv2.polylines(img, [pts[48:60]], True, (60, 60, 150), 2)
    cv2.polylines(img, [pts[17:22]], False, (40, 40, 40), 3)
    cv2.polylines(img, [pts[22:27]], False, (40, 40, 40), 3)
    return np.clip(img, 0, 255).astype(np.uint8)


_TEXTURE: dict[tuple[int, int], np.ndarray] = {}


def render(points: np.ndarray, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """The textured frontal face moved to `points` (similarity fit), eyes drawn per points."""
    if size not in _TEXTURE:
        _TEXTURE[size] = _skin_texture(size)
    rigid = [27, 30, 33, 36, 39, 42, 45, 8]
    src = head_points()[rigid].astype(np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(src, np.asarray(points)[rigid].astype(np.float32))
    img = cv2.warpAffine(_TEXTURE[size], matrix, size, borderMode=cv2.BORDER_REPLICATE)
    pts = np.round(points).astype(np.int32)
    for eye in (pts[36:42], pts[42:48]):
        cv2.fillPoly(img, [eye], (235, 235, 235))
        c = eye.mean(axis=0).astype(int)
        r = max(1, int(abs(eye[4][1] - eye[2][1]) / 2))
        cv2.circle(img, (int(c[0]), int(c[1])), r, (40, 30, 20), -1)
        cv2.polylines(img, [eye], True, (30, 30, 30), 1)
    return img


def ear_of(points: np.ndarray) -> float:
    from facekiosk.engine.liveness.geometry import eye_aspect_ratio

    return eye_aspect_ratio(np.asarray(points, dtype=np.float64))


def face(
    points: np.ndarray,
    yaw: float,
    pitch: float,
    *,
    embedding=None,
    shift: float = 0.0,
    antispoof: float | str | None = "absent",
) -> Face:
    """`antispoof`: what the engine's anti-spoofing model said about this face (a real
    probability, None = could not judge, "absent" = the engine did not run it)."""
    pts = np.asarray(points, dtype=np.float32) + np.float32([shift, 0.0])
    x1, y1 = pts.min(axis=0)
    x2, y2 = pts.max(axis=0)
    kps = np.array(
        [pts[36:42].mean(0), pts[42:48].mean(0), pts[30], pts[48], pts[54]], dtype=np.float32
    )
    return Face(
        bbox=(float(x1), float(y1), float(x2), float(y2)),
        score=1.0,
        kps=kps,
        landmarks=pts,
        pose=Pose(yaw=yaw, pitch=pitch, roll=0.0),
        eye_openness=ear_of(pts),
        embedding=embedding,
        extras={} if antispoof == "absent" else {"antispoof": antispoof},
    )


def noisy(points: np.ndarray, rng: np.random.Generator, sigma: float = 0.4) -> np.ndarray:
    """Landmark fit noise, in pixels."""
    return points + rng.normal(0.0, sigma, points.shape)
