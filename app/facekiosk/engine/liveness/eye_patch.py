"""Photometric confirmation of a blink: did the eyes change, or only the landmark fit?

On some photos dlib's eye landmarks flicker between "open" and "half closed"
as the sheet jitters, which looks like a blink in the eye aspect ratio. A real
blink changes the PIXELS of the eye (lid and lashes cover the iris) while the
rest of the upper face stays the same. Each frame is warped to a canonical 96x96
grey face (a similarity fit of the eye corners and nose), and a blink is
confirmed when the eyes changed by a clear amount and much more than the control
regions between the open and the closed frame.
"""

from __future__ import annotations

import cv2
import numpy as np

PATCH = 96
# Rough mean-face positions (iBUG indices) in the 96x96 patch: eye corners, nose.
_TEMPLATE = {
    36: (20.0, 36.0),
    39: (41.0, 37.0),
    42: (55.0, 37.0),
    45: (76.0, 36.0),
    27: (48.0, 34.0),
    30: (48.0, 60.0),
    33: (48.0, 66.0),
}
_INDICES = list(_TEMPLATE)
_DST = np.array([_TEMPLATE[i] for i in _INDICES], dtype=np.float32)
EYE_BOXES = ((14, 26, 46, 46), (50, 26, 82, 46))  # x1, y1, x2, y2: eye with brow edge, lids
# The band of the lids and the iris only (no brow, no cheek): a closing lid covers most
# of it, so it changes 1.5 to 4 times more than the whole eye box on a blink (below).
LID_BOXES = ((16, 30, 44, 42), (52, 30, 80, 42))
NOSE_BOX = (36, 46, 60, 72)  # never blinks, but a smile stretches it
BROW_BOX = (14, 12, 82, 26)  # above the eye boxes: never blinks, a smile leaves it

# Measured on the per-frame dump of Session 6 (docs/notes/liveness.md): (1 - correlation)
# between the widest-open and the most-closed frame, 10 fps, bundled and dlib engines.
# The eye cue is the larger of the eye-box and the lid-band change, each the smaller of
# the two eyes (a blink closes both). Confirmed real blinks: 0.106-0.72 (mahie's labelled
# blinks >= 0.16, d19 0.28, d13 0.35-0.40, zulkhuu's nod 0.106, zubair 0.11); the 332 prints
# and stills x 2 engines, on dips whose brows, nose and jaw side held still: at most 0.081
# (Jerry_Seinfeld/5, dlib engine; the old 0.045 confirmed it), then 0.062 (squinting smiles,
# low-contrast eyes that sensor noise and resampling move; those also fail the ratio below).
EYE_MIN_CHANGE = 0.09
EYE_OVER_CONTROL = 3.5  # the eyes must change at least this many times more than the control
# Control = the smaller change of the nose and the brow band: a landmark fit that jumped
# misaligns the whole patch, so both move (a bad fit on a photo: nose 0.05-0.55, brows
# 0.17-0.74); an expression moves one (d19's smile: nose 0.11-0.145, brows 0.03-0.04;
# with the nose alone as control, as before, both of its blinks were refused).
CONTROL_MAX = 0.1  # a control that changed more than this = the landmarks jumped, not a blink


def aligned_patch(grey: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The face warped to the canonical 96x96 layout (float32), or None if the fit fails."""
    matrix = _similarity_lstsq(np.asarray(points, dtype=np.float64)[_INDICES], _DST)
    if matrix is None:
        return None
    patch = cv2.warpAffine(grey, matrix, (PATCH, PATCH), flags=cv2.INTER_LINEAR)
    return patch.astype(np.float32)


def _similarity_lstsq(src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
    """Least-squares 2-D similarity src -> dst as a 2x3 matrix. All points count
    (RANSAC on 7 points picks a different pair each frame and the patch wobbles)."""
    n = len(src)
    a = np.zeros((2 * n, 4))
    a[0::2] = np.column_stack([src[:, 0], -src[:, 1], np.ones(n), np.zeros(n)])
    a[1::2] = np.column_stack([src[:, 1], src[:, 0], np.zeros(n), np.ones(n)])
    sol, *_ = np.linalg.lstsq(a, dst.reshape(-1).astype(np.float64), rcond=None)
    c, s, tx, ty = sol
    if not np.all(np.isfinite(sol)) or c * c + s * s < 1e-12:
        return None
    return np.array([[c, -s, tx], [s, c, ty]])


SEARCH = 4  # pixels of misalignment the comparison forgives (landmark fit jitter)


def _box_change(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """1 - best normalised correlation of `a`'s box inside `b` around the same place.

    The search forgives a few pixels of misalignment, so a photo whose landmarks
    jumped scores ~0 while a closed lid (no iris, no eye white) scores high.
    """
    x1, y1, x2, y2 = box
    template = a[y1:y2, x1:x2]
    region = b[max(0, y1 - SEARCH) : y2 + SEARCH, max(0, x1 - SEARCH) : x2 + SEARCH]
    if template.std() < 1e-3 or region.std() < 1e-3:
        return 0.0
    corr = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED)
    return float(1.0 - corr.max())


def eye_change(open_patch: np.ndarray, closed_patch: np.ndarray) -> tuple[float, float]:
    """(eye change, control change) between two aligned patches, 0 = same picture."""
    eyes = min(_box_change(open_patch, closed_patch, box) for box in EYE_BOXES)
    lids = min(_box_change(open_patch, closed_patch, box) for box in LID_BOXES)
    nose = _box_change(open_patch, closed_patch, NOSE_BOX)
    brows = _box_change(open_patch, closed_patch, BROW_BOX)
    return max(eyes, lids), min(nose, brows)


def confirms_blink(open_patch: np.ndarray, closed_patch: np.ndarray) -> bool:
    eyes, control = eye_change(open_patch, closed_patch)
    return control <= CONTROL_MAX and eyes >= max(EYE_MIN_CHANGE, EYE_OVER_CONTROL * control)
