"""Is the lower face covered (a mask, a scarf, a hand)? A colour check on 68-point landmarks.

The skin colour is sampled above any mask (between the brows, the top of the nose bridge or
the forehead: the first that looks like skin); the region from below the nose wings down
along the jaw (landmarks 3-13, 31-35) is then compared pixel by pixel in YCrCb chroma. On an
uncovered face most of that region has the same chroma as the reference; on a covered one
almost none does.

Measured (docs/notes/kiosk.md): on every photo of ../shared/faces the skin fraction is
well above `MASKED_BELOW`; painted masks of several colours fall far below it. Limits: a
mask in skin colour passes; strong coloured light on half the face may be flagged; the
dlib detector often finds no face at all behind a mask (then the kiosk says no face); a
greyscale/infrared camera gives no colour to judge by (no verdict).
"""

from __future__ import annotations

import cv2
import numpy as np

from facekiosk.engine.types import Face

MASKED_BELOW = 0.05  # skin-coloured share of the lower face below which it counts as covered
CHROMA_DISTANCE = 12.0  # YCrCb (Cr, Cb) distance that still counts as the same skin
# The reference itself must look like skin (a mask pulled up to the eyes covers it too).
# Broad on purpose: the nose bridges of ../shared/faces span Cr 118-170, Cb 84-122.
SKIN_MIN_CR = 112.0
SKIN_MAX_CB = 126.0
GREY_CHROMA = 3.0  # a face whose chroma stays this close to neutral is a grey (IR) image
_LOWER_FACE = [*range(3, 14), 35, 33, 31]  # jaw from left to right, back along the nose base


def _patch(ycc: np.ndarray, center: np.ndarray, r: int) -> np.ndarray | None:
    height, width = ycc.shape[:2]
    cx, cy = (round(float(v)) for v in center)
    y1, y2, x1, x2 = max(0, cy - r), min(height, cy + r), max(0, cx - r), min(width, cx + r)
    if y2 - y1 < 2 or x2 - x1 < 2:
        return None
    return ycc[y1:y2, x1:x2, 1:].reshape(-1, 2).astype(np.float32)


def _skin_like(chroma: np.ndarray) -> bool:
    return bool(chroma[0] >= SKIN_MIN_CR and chroma[1] <= SKIN_MAX_CB)


def lower_face_skin_fraction(image: np.ndarray, landmarks: np.ndarray) -> float | None:
    """Share of the lower face with the skin chroma of the upper face; None if unmeasurable."""
    pts = np.asarray(landmarks, dtype=np.float32)
    if pts.shape != (68, 2):
        return None
    height, width = image.shape[:2]
    iod = float(np.linalg.norm(pts[45] - pts[36]))
    r = max(3, round(0.12 * iod))
    ycc = cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb)
    region = np.zeros((height, width), np.uint8)
    cv2.fillPoly(region, [np.round(pts[_LOWER_FACE]).astype(np.int32)], 1)
    lower = ycc[region > 0][:, 1:].astype(np.float32)
    if len(lower) < 20:
        return None
    # Skin references above any mask: the top of the nose bridge, between the brows (above
    # a glasses bridge), the forehead. The first one that looks like skin is used.
    up = np.array([0.0, 0.3 * iod], np.float32)
    brows = (pts[21] + pts[22]) / 2
    found = [_patch(ycc, c, r) for c in (pts[27], brows - up / 3, brows - up)]
    patches = [p for p in found if p is not None]
    if not patches:
        return None
    if (
        np.percentile(np.abs(np.concatenate([*patches, lower]) - 128.0).max(axis=1), 95)
        < GREY_CHROMA
    ):
        return None  # no colour to judge by (greyscale or infrared camera)
    references = [np.median(p, axis=0) for p in patches]
    reference = next((c for c in references if _skin_like(c)), None)
    if reference is None:
        return 0.0  # no skin anywhere above the mouth: covered up to the eyes
    return float((np.linalg.norm(lower - reference, axis=1) < CHROMA_DISTANCE).mean())


def looks_masked(image: np.ndarray, face: Face) -> bool | None:
    """True/False, or None when the face has no 68-point landmarks to judge by."""
    if face.landmarks is None:
        return None
    fraction = lower_face_skin_fraction(image, face.landmarks)
    if fraction is None:
        return None
    face.quality["lower_face_skin"] = fraction
    return fraction < MASKED_BELOW
