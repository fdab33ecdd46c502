"""`facekiosk bench masks --dataset DIR`: how the lower-face colour check behaves on real
photos (false "masked" verdicts) and on the same photos with painted masks of six colours
(misses), plus how often the detector still finds a face behind such a mask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.types import read_image
from facekiosk.kiosk.occlusion import MASKED_BELOW, lower_face_skin_fraction

# BGR: light blue, white, black, red, skin-like beige, green
MASK_COLOURS = (
    (235, 206, 135),
    (240, 240, 240),
    (30, 30, 30),
    (60, 60, 160),
    (200, 170, 150),
    (90, 120, 60),
)


def paint_mask(image: np.ndarray, landmarks: np.ndarray, bgr: tuple[int, int, int]) -> np.ndarray:
    out = image.copy()
    outline = np.array([landmarks[i] for i in range(1, 16)] + [landmarks[28]], np.int32)
    cv2.fillPoly(out, [outline], bgr)
    return out


def run_mask_bench(engine: FaceEngine, dataset: Path) -> dict[str, Any]:
    paths = sorted((dataset / "identities").glob("*/*.jpg")) or sorted(dataset.rglob("*.jpg"))
    clean: list[float] = []
    painted: list[float] = []
    no_verdict = hidden = photos = 0
    for i, path in enumerate(paths):
        image = read_image(str(path))
        faces = engine.detect(image)
        if len(faces) != 1 or faces[0].landmarks is None:
            continue
        photos += 1
        lm = faces[0].landmarks
        value = lower_face_skin_fraction(image, lm)
        if value is None:
            no_verdict += 1
            continue
        clean.append(value)
        masked = paint_mask(image, lm, MASK_COLOURS[i % len(MASK_COLOURS)])
        hidden += not engine.detect(masked)
        painted.append(lower_face_skin_fraction(masked, lm) or 0.0)  # same landmarks
    c, p = np.array(clean), np.array(painted)
    return {
        "photos": photos,
        "no_verdict": no_verdict,  # greyscale photos: no colour to judge by
        "threshold": MASKED_BELOW,
        "false_masked": int((c < MASKED_BELOW).sum()),
        "clean_min": round(float(c.min()), 3) if len(c) else None,
        "clean_p1": round(float(np.percentile(c, 1)), 3) if len(c) else None,
        "painted_missed": int((p >= MASKED_BELOW).sum()),
        "painted": len(p),
        "detector_finds_no_face_behind_mask": hidden,
    }
