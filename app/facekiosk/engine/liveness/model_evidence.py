"""The anti-spoofing model's per-frame scores smoothed over one track.

Live: the median of the last WINDOW judged frames (about 2 % of single live frames score
spoof, ../shared/models/README.md, and a median of 7 ignores up to 3 of them in a row).
Spoof accuses the person of an attack (PAD_ATTACK), so it needs more: the median of up
to SPOOF_WINDOW judged frames, once the track was judged for SPOOF_SPAN_S. Verdicts:
"live", "spoof", "unsure" (in between, or too few frames yet) and "too_close" (the model
could not judge the last frames: the face fills the frame).
"""

from __future__ import annotations

from collections import deque
from typing import Literal

import numpy as np

ModelVerdict = Literal["live", "spoof", "unsure", "too_close"]

WINDOW = 7  # judged frames in the median
MIN_FRAMES = 5  # judged frames before a live or spoof verdict (0.4 s at 10 fps) ...
# ... or, when frames come slowly (a loaded kiosk analyses 2-3 a second), this many spanning
# MIN_SPAN_S: the same 0.4 s of looking, not 2 s of waiting for five frames.
MIN_FRAMES_SLOW = 3
MIN_SPAN_S = 0.4
# Per-clip mean real score: every replay <= 0.11, every live clip >= 0.59 (README); per
# frame, live clips at strong head turns dip to ~0.6. Between the two: "unsure".
LIVE_AT = 0.6
SPOOF_BELOW = 0.3
# Real people dip for longer than the live window: live_head_turn_lr_zubair.webm scores
# 0.05-0.40 on ten frontal frames in a row (5.9-6.7 s; 0.86-0.98 a second before, 0.58-0.99
# after his turn). Judged on 3 frames over 0.4 s (a window-paced kiosk), a sign-in that
# began near that dip was a MODEL_SPOOF: 4 of 10 clicks in the real window, 3 and 7 of 10 in
# bench flow-liveness --frame-ms 100 / 250. Replays score <= 0.11 from their first frame to
# their last, so waiting 2 s of looking costs them only a later refusal: a spoof verdict is
# never what lets anyone pass (a pass needs "live").
SPOOF_WINDOW = 30  # 4.5 s of frames at the model's 6.7 a second
SPOOF_SPAN_S = 2.0
# ... and at least this many judged frames in it: 2 s from the first judged frame to the
# last is not 2 s of looking when the head was turned in between (unjudged). At 4 frames a
# second zubair's sign-in that began in his dip was a MODEL_SPOOF on 3 judged frames
# (0.25, 0.14, then 0.73 after his turn, 3 s apart). A replay faces the camera: every frame
# is judged, 8 in 2 s at that pace.
SPOOF_MIN_FRAMES = 5
TOO_CLOSE_FRAMES = 3  # this many unjudged frames in a row = ask the person to step back
# Only frames facing the camera are judged. On the live clip live_head_moves_luyt.mp4 the real
# score fell to 0.23-0.41 while the head was turned 15-20 deg (with a 11-13 deg tilt) and to
# 0.19-0.45 while looking up 36-44 deg; those dips made a real person a MODEL_SPOOF in 3 of
# 10 kiosk-flow runs (bench flow-liveness). Frontal frames of the same clip score 0.97-1.0,
# replays <= 0.11 (the screen faces the camera). Roll is allowed more: people at a kiosk
# tilt their heads (the faces of insightface's t1.jpg: 2-30 deg), and the model's crop is
# not rotated away by it.
MAX_YAW, MAX_PITCH, MAX_ROLL = 15.0, 25.0, 20.0


def judgeable_pose(yaw: float, pitch: float, roll: float) -> bool:
    """Is the head frontal enough for the model's verdict to mean something?"""
    return abs(yaw) <= MAX_YAW and abs(pitch) <= MAX_PITCH and abs(roll) <= MAX_ROLL


class ModelEvidence:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # The last SPOOF_WINDOW judged frames; the live verdict reads the last WINDOW of them.
        self.samples: deque[float] = deque(maxlen=SPOOF_WINDOW)
        self.times: deque[float] = deque(maxlen=SPOOF_WINDOW)
        self.first_t: float | None = None  # the track's first judged frame
        self.judged = 0
        self.unjudged_run = 0

    def update(self, score: float | None, t: float | None = None) -> ModelVerdict:
        """One frame's score (None: not judgeable) at time `t` (None: count frames only)."""
        if score is None:
            self.unjudged_run += 1
        else:
            self.unjudged_run = 0
            self.judged += 1
            when = float("nan") if t is None else t
            self.samples.append(float(score))
            self.times.append(when)
            if self.first_t is None:
                self.first_t = when
        return self.verdict

    def _recent(self) -> list[float]:
        return list(self.samples)[-WINDOW:]

    def _enough(self) -> bool:
        n = min(len(self.samples), WINDOW)
        if n >= MIN_FRAMES:
            return True
        span = self.times[-1] - self.times[-n] if n else 0.0
        return n >= MIN_FRAMES_SLOW and span >= MIN_SPAN_S - 1e-6  # NaN (no times): False

    def _spoof_evidence(self) -> bool:
        """Low for long enough: judged for SPOOF_SPAN_S on SPOOF_MIN_FRAMES or more (a full
        SPOOF_WINDOW of frames when fed without times), and the median of the last
        SPOOF_WINDOW below SPOOF_BELOW."""
        if self.first_t is None:  # nothing judged yet
            return False
        n = len(self.samples)
        span = self.times[-1] - self.first_t
        if span == span:  # timed frames
            long_enough = span >= SPOOF_SPAN_S - 1e-6 and n >= SPOOF_MIN_FRAMES
        else:
            long_enough = n >= SPOOF_WINDOW
        return long_enough and float(np.median(self.samples)) < SPOOF_BELOW

    @property
    def last_t(self) -> float | None:
        """Time of the last judged frame (None before one, or when fed without times)."""
        return self.times[-1] if self.times and self.times[-1] == self.times[-1] else None

    @property
    def median(self) -> float | None:
        return float(np.median(self._recent())) if self.samples else None

    @property
    def verdict(self) -> ModelVerdict:
        if self.unjudged_run >= TOO_CLOSE_FRAMES:
            return "too_close"
        median = self.median
        if median is None or not self._enough():
            return "unsure"
        if median >= LIVE_AT:
            return "live"
        if self._spoof_evidence():
            return "spoof"
        return "unsure"

    def scores(self) -> dict[str, float]:
        median = self.median
        return {
            "model_real": median if median is not None else float("nan"),
            "model_frames": float(self.judged),
        }
