"""Blink detection on the eye-aspect-ratio series (Soukupova & Cech 2016, made relative).

A blink is a short dip of the EAR well below the person's own open-eye level,
followed by the eyes opening again. The open level is the running median, so
narrow eyes, glasses and smiles do not need another threshold.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from facekiosk.engine.liveness.eye_patch import confirms_blink
from facekiosk.engine.liveness.geometry import interocular, similarity_residual

CLOSED_FRACTION = 0.75  # closed: EAR below this share of the open level ...
MIN_DROP = 0.05  # ... and at least this far below it (landmark noise on photos ~0.02)
REOPEN_FRACTION = 0.88  # open again: back above this share of the open level
MAX_CLOSED_S = 0.8  # longer than this is closing the eyes, not a blink
BASELINE_S = 3.0  # the open level is the median EAR over this long
OPEN_REFERENCE_S = 0.8  # the open-eye picture a closure is compared with is this recent
# Brows, nose and the upper jaw (not eyes, not mouth, not the chin) between the open and
# the closed frame, after a similarity (IOD units): a blink leaves them in place; a landmark
# fit that flipped or drifted on a photo (eyes "closing" with a pose jump, or one side of
# the face sliding) moves them. Measured on Session 6's dump, on the dips whose pixels
# passed eye_patch: prints >= 0.049 (Guido_van_Rossum/5, George_Robertson/6), real blinks
# <= 0.036 (d13 while talking, mahie). The chin (4-12) is left out: talking moves it
# (d13's blinks read 0.036-0.037 with it). Without any jaw point those two prints read
# 0.025-0.027 and passed: the side of the jaw shows the drift.
RIGID = np.r_[0:4, 13:17, 17:36]
RIGID_MAX = 0.04


class BlinkDetector:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.history: deque[tuple[float, float]] = deque()
        self.closed_since: float | None = None
        self.blinks: list[float] = []  # times the eyes reopened
        self.unconfirmed = 0  # EAR dips the pixels did not confirm (landmark flicker)
        self.last_rigid = float("nan")
        self.open_frames: deque[tuple[float, float, np.ndarray, np.ndarray | None]] = deque()
        self.closed: tuple[float, np.ndarray | None, np.ndarray | None] | None = None

    def open_level(self) -> float | None:
        if len(self.history) < 3:
            return None
        return float(np.median([e for _, e in self.history]))

    def update(
        self,
        ear: float,
        t: float,
        patch: np.ndarray | None = None,
        points: np.ndarray | None = None,
    ) -> bool:
        """Feed one EAR (and the aligned face patch, see eye_patch.py); True on the frame
        a blink completes (eyes reopened). Without patches the EAR alone decides."""
        base = self.open_level()
        done = False
        if base is not None:
            closed = ear < min(CLOSED_FRACTION * base, base - MIN_DROP)
            if closed and self.closed_since is None:
                self.closed_since = t
                self.closed = (ear, patch, points)
            elif closed and self.closed is not None and ear < self.closed[0]:
                self.closed = (ear, patch, points)
            elif self.closed_since is not None and ear >= REOPEN_FRACTION * base:
                if t - self.closed_since <= MAX_CLOSED_S:
                    if self._confirmed():
                        self.blinks.append(t)
                        done = True
                    else:
                        self.unconfirmed += 1
                self.closed_since = None
                self.closed = None
        if self.closed_since is None:  # closed frames would drag the open level down
            self.history.append((t, ear))
            if patch is not None:
                self.open_frames.append((t, ear, patch, points))
        while self.history and t - self.history[0][0] > BASELINE_S:
            self.history.popleft()
        # Trimmed while the eyes are open only: a closure of up to MAX_CLOSED_S must still
        # find the open frames just before it (trimmed by the clock, a 0.8 s closure kept
        # none, and a dip without a reference was confirmed unseen).
        while (
            self.closed_since is None
            and self.open_frames
            and t - self.open_frames[0][0] > OPEN_REFERENCE_S
        ):
            self.open_frames.popleft()
        return done

    def _confirmed(self) -> bool:
        closed_patch = self.closed[1] if self.closed is not None else None
        if closed_patch is None or self.closed is None:
            return True  # no pixels to check (landmark-only input)
        if not self.open_frames:
            return False  # pixels, but no open picture to compare with: unproven
        # The widest-open recent frame: the one just before may already be closing.
        _, _, open_patch, open_points = max(self.open_frames, key=lambda f: f[1])
        closed_points = self.closed[2]
        if open_points is not None and closed_points is not None:
            self.last_rigid = similarity_residual(
                open_points[RIGID], closed_points[RIGID], interocular(closed_points)
            )
            if not self.last_rigid <= RIGID_MAX:  # also refuses NaN
                return False
        return confirms_blink(open_patch, closed_patch)
