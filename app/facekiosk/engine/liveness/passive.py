"""Passive checks over the frames of one track: is this a moving, deforming 3-D face?

Scores (all landmark residuals are divided by the inter-ocular distance, IOD):
- motion: mean landmark displacement from the track's first frame. Zero for a
  frozen feed; a person is never perfectly still.
- deform: residual after the best 2-D similarity (what is NOT a shift, rotation
  or zoom in the image plane). A photo moved in its plane keeps it at noise.
- nonplanar: residual after the best homography. Every view of a flat sheet is
  a homography of every other, so a print or a screen stays at landmark noise
  (<= 0.09 measured on 107 jittered photos) while a turning head shows
  parallax (0.16 to 0.25 on the shared head-turn clips). Talking and small
  movements stay lower, so most live passes come from blinks.
- planar: how many frames moved out of plane (deform high) yet stayed a
  homography (nonplanar at noise): a tilted sheet.
- blinks: completed blinks (see blink.py).
A replayed video of a live person passes these (the face on the screen moved
in 3-D when it was filmed): that is what screen cues, the addon and the
randomised challenge are for.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from facekiosk.engine.liveness.blink import BlinkDetector
from facekiosk.engine.liveness.geometry import homography_residual, similarity_residual
from facekiosk.engine.liveness.observation import Observation

WINDOW_S = 4.0  # frames older than this leave the statistics
FROZEN_DIFF = 0.05  # mean |pixel difference| below this = the same frame again (no sensor noise)
SMOOTH = 3  # landmarks averaged over this many frames (fit noise is partly per frame) ...
# ... within this long: at the 10 fps the thresholds were measured at, 3 frames span 0.2 s.
# At the 2-3 fps of a loaded kiosk, 3 frames span 1-1.5 s and averaged a head turn away
# with the frames around it (luyt's clip: motion "weak" through every turn).
SMOOTH_S = 0.3  # (0.3: a 10 fps sampling of a 15 or 25 fps clip spans up to 0.27 s)
NONPLANAR_LIVE = 0.15  # sustained residual a sheet does not reach (photos: <= 0.09 measured)
SUSTAIN_FRAMES = 3  # ... in at least this many frames (one-frame landmark glitches happen)
PLANAR_DEFORM = 0.06  # out-of-plane motion large enough to judge planarity
PLANAR_RATIO = 0.35  # nonplanar / deform below this on such frames = a flat sheet
PLANAR_NOISE = 0.035  # ... and nonplanar at landmark-noise level
PLANAR_FRAMES = 4  # this many planar frames and no live evidence = PLANAR_MOTION


@dataclass(frozen=True)
class PassiveVerdict:
    live: bool  # positive evidence of a live 3-D face
    frozen: bool  # the feed repeats the same image
    planar: bool  # moved like a flat sheet
    scores: dict[str, float]


class PassiveAnalyzer:
    def __init__(self) -> None:
        self.blink = BlinkDetector()
        self.reset()

    def reset(self) -> None:
        self.reference: np.ndarray | None = None
        self.recent: deque[tuple[float, np.ndarray]] = deque(maxlen=SMOOTH)
        self.rows: deque[tuple[float, float, float, float]] = deque()  # t, motion, deform, nonpl
        self.frames = 0
        self.frozen_frames = 0
        self.planar_frames = 0
        self.last_crop: np.ndarray | None = None
        self.blink.reset()

    def update(self, obs: Observation, crop: np.ndarray | None) -> PassiveVerdict:
        """Feed one frame of the tracked face (`crop`: small grey face patch or None)."""
        self.frames += 1
        self.recent.append((obs.t, obs.points))
        while obs.t - self.recent[0][0] > SMOOTH_S:
            self.recent.popleft()
        if self.frames < SMOOTH:
            points = obs.points
        else:
            points = np.mean([p for _, p in self.recent], axis=0)
            if self.reference is None:
                self.reference = points
        reference = self.reference if self.reference is not None else points
        motion = float(np.mean(np.linalg.norm(points - reference, axis=1))) / obs.iod
        deform = similarity_residual(reference, points)
        nonplanar = homography_residual(reference, points)
        if self.reference is not None and np.isfinite(deform) and np.isfinite(nonplanar):
            self.rows.append((obs.t, motion, deform, nonplanar))
            if deform >= PLANAR_DEFORM and nonplanar <= min(PLANAR_NOISE, PLANAR_RATIO * deform):
                self.planar_frames += 1
        while self.rows and obs.t - self.rows[0][0] > WINDOW_S:
            self.rows.popleft()
        if crop is not None and self.last_crop is not None and crop.shape == self.last_crop.shape:
            diff = float(np.mean(np.abs(crop.astype(np.int16) - self.last_crop)))
            self.frozen_frames = self.frozen_frames + 1 if diff < FROZEN_DIFF else 0
        self.last_crop = crop
        self.blink.update(obs.ear, obs.t, obs.patch, obs.points)
        return self.verdict()

    def verdict(self) -> PassiveVerdict:
        arr = np.array(self.rows) if self.rows else np.zeros((0, 4))
        sustained = (
            float(np.sort(arr[:, 3])[-SUSTAIN_FRAMES]) if len(arr) >= SUSTAIN_FRAMES else 0.0
        )
        blinks = len(self.blink.blinks)
        live = blinks > 0 or sustained >= NONPLANAR_LIVE
        scores = {
            "motion": float(arr[:, 1].max()) if len(arr) else 0.0,
            "deform": float(arr[:, 2].max()) if len(arr) else 0.0,
            "nonplanar": sustained,
            "planar_frames": float(self.planar_frames),
            "blinks": float(blinks),
            "frozen_frames": float(self.frozen_frames),
        }
        return PassiveVerdict(
            live=live,
            frozen=self.frozen_frames >= SUSTAIN_FRAMES,
            planar=not live and self.planar_frames >= PLANAR_FRAMES,
            scores=scores,
        )
