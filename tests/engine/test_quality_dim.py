"""A dim face that keeps its detail is usable; a dark one, or a dim one that lost its
detail, is TOO_DARK (issue 19: lestari's real webcam clip, face grey ~40, could not be
enrolled at the old floor of 50)."""

from __future__ import annotations

from pathlib import Path

import cv2

from facekiosk.bench.pipeline import kiosk_frame
from facekiosk.engine.liveness.media import video_frames
from facekiosk.engine.quality import Guidance, assess
from facekiosk.settings import QualitySettings

DEFAULTS = QualitySettings()


def test_a_real_dim_webcam_face_is_not_too_dark(shared_liveness, dlib_engine):
    clip = Path(shared_liveness) / "videos" / "live_webcam_lestari.mp4"
    judged = 0
    for _, frame in video_frames(clip, fps=2.0, max_width=0):
        faces = dlib_engine.detect(frame)
        verdict = assess(faces, frame.shape, "enroll", DEFAULTS, frame)
        assert verdict.measures["brightness"] < 50  # dim: under the old floor
        assert Guidance.TOO_DARK not in verdict.codes, verdict.measures
        judged += 1
    assert judged >= 5


def test_dark_or_detail_less_faces_stay_too_dark(photo_engine):
    frame = kiosk_frame()
    (face,) = photo_engine.detect(frame)
    for alpha in (0.25, 0.15):  # a quarter: grey ~40 but its detail gone; 0.15: grey ~24
        dark = cv2.convertScaleAbs(frame, alpha=alpha)
        faces = photo_engine.detect(dark) or [face]
        verdict = assess(faces, dark.shape, "enroll", DEFAULTS, dark)
        assert Guidance.TOO_DARK in verdict.codes, (alpha, verdict.measures)
