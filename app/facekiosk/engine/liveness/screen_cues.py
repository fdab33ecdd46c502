"""Screen and print cues measured on the face and its surroundings, per frame.

- hf_ratio: share of the face crop's spectral energy in the upper frequency
  band. Recaptured screens add moire and pixel-grid energy; prints and
  re-photographed photos usually lose fine detail instead.
- specular: share of near-white, unsaturated pixels on the face (glare of a
  glossy print or a screen's cover glass).
- sat_spread: spread of colour saturation on the face (prints and screens
  compress the colour range of skin).
- border: the longest straight edge near the face, relative to the face height
  (the frame of a phone, tablet or sheet held around the face).
Measured separation (AUC, attack scored higher than genuine; 0.5 = chance) on
../shared/liveness: stills (21 spoof / 17 live) hf_ratio 0.35 (attacks are
blurrier, not moire-rich), specular 0.76, sat_spread 0.69, border 0.65; clips
(3 replays / 11 live) hf_ratio 0.24, specular 0.55, sat_spread 0.67, border
0.82 (bookshelves and door frames behind real people have long edges too).
None is strong enough to reject anybody on its own, so the cues are reported
in the scores and do not decide (DECISIVE is False); SCREEN_CUES is reserved
for a cue that earns it on a larger labelled set.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from facekiosk.engine.types import Face

CROP = 128
WINDOW = 10
DECISIVE = False  # see the module docstring: reported, not used to reject
BORDER_SPOOF = 1.5  # border/face height that would count as a held frame if DECISIVE


def _box(face: Face, shape: tuple[int, ...], grow: float) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = face.bbox
    cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) * grow, (y2 - y1) * grow
    return (
        max(0, int(cx - w / 2)),
        max(0, int(cy - h / 2)),
        min(shape[1], int(cx + w / 2)),
        min(shape[0], int(cy + h / 2)),
    )


def hf_ratio(grey_face: np.ndarray) -> float:
    crop = cv2.resize(grey_face, (CROP, CROP), interpolation=cv2.INTER_AREA).astype(np.float32)
    crop -= crop.mean()
    crop *= np.outer(np.hanning(CROP), np.hanning(CROP))
    power = np.abs(np.fft.fftshift(np.fft.fft2(crop))) ** 2
    yy, xx = np.mgrid[-CROP // 2 : CROP // 2, -CROP // 2 : CROP // 2]
    radius = np.hypot(xx, yy) / (CROP / 2)
    total = power[(radius > 0.02)].sum()
    return float(power[radius > 0.5].sum() / total) if total > 0 else 0.0


def specular(bgr_face: np.ndarray) -> float:
    hsv = cv2.cvtColor(bgr_face, cv2.COLOR_BGR2HSV)
    return float(np.mean((hsv[:, :, 2] > 240) & (hsv[:, :, 1] < 40)))


def sat_spread(bgr_face: np.ndarray) -> float:
    sat = cv2.cvtColor(bgr_face, cv2.COLOR_BGR2HSV)[:, :, 1].astype(np.float32)
    p5, p95 = np.percentile(sat, [5, 95])
    return float(p95 - p5) / 255.0


def border(grey: np.ndarray, face: Face) -> float:
    """Longest straight edge in a 2.5x box around the face, outside the face, / face height."""
    x1, y1, x2, y2 = _box(face, grey.shape, 2.5)
    region = grey[y1:y2, x1:x2]
    if region.size == 0:
        return 0.0
    scale = min(1.0, 200.0 / max(region.shape))
    small = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(small, 60, 150)
    fx1, fy1, fx2, fy2 = ((v - o) * scale for v, o in zip(face.bbox, (x1, y1, x1, y1), strict=True))
    edges[max(0, int(fy1)) : int(fy2), max(0, int(fx1)) : int(fx2)] = 0  # not the face itself
    face_h = max(1.0, (face.bbox[3] - face.bbox[1]) * scale)
    lines = cv2.HoughLinesP(edges, 1, np.pi / 180, 30, minLineLength=face_h * 0.5, maxLineGap=4)
    if lines is None:
        return 0.0
    seg = np.asarray(lines).reshape(-1, 4).astype(np.float64)
    lengths = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    return float(lengths.max() / face_h)


def frame_cues(image: np.ndarray, face: Face) -> dict[str, float]:
    x1, y1, x2, y2 = _box(face, image.shape, 1.0)
    if x2 - x1 < 16 or y2 - y1 < 16:
        return {}
    bgr = image[y1:y2, x1:x2]
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return {
        "hf_ratio": hf_ratio(grey[y1:y2, x1:x2]),
        "specular": specular(bgr),
        "sat_spread": sat_spread(bgr),
        "border": border(grey, face),
    }


class CueAccumulator:
    """Median of each cue over the last frames of the track (computed every 3rd frame)."""

    EVERY = 3

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.rows: deque[dict[str, float]] = deque(maxlen=WINDOW)
        self.frames = 0

    def update(self, image: np.ndarray, face: Face) -> None:
        if self.frames % self.EVERY == 0:
            cues = frame_cues(image, face)
            if cues:
                self.rows.append(cues)
        self.frames += 1

    def scores(self) -> dict[str, float]:
        if not self.rows:
            return {}
        return {f"cue_{k}": float(np.median([r[k] for r in self.rows])) for k in self.rows[0]}

    @property
    def spoof(self) -> bool:
        if not DECISIVE or len(self.rows) < 3:
            return False
        return self.scores()["cue_border"] >= BORDER_SPOOF
