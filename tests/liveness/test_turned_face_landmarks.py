"""The bundled engine's 68 points on a turned face (real clips; skipped without ../shared).

YuNet's box follows the visible part of a turned face; the 68-point predictor anchored on
it pulled the fit toward frontal (luyt at 45 deg read 2-22 deg), so the liveness motion
layer saw too little parallax and prompted people who were turning their head. The
points are now fitted again on the box HOG would give (engine/bundled_engine.py).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from facekiosk.engine.liveness import LivenessSession
from facekiosk.engine.liveness.media import video_frames
from facekiosk.engine.registry import create_engine
from facekiosk.engine.types import FrameRequest
from facekiosk.settings import Settings
from facekiosk.settings.schema import EngineSettings


@pytest.fixture(scope="module")
def bundled():
    return create_engine(Settings().engine, None)  # the kiosk's default engine


def test_a_turned_face_reads_the_yaw_the_dlib_engine_reads(shared_liveness, bundled):
    dlib = create_engine(EngineSettings(name="dlib"), None)
    clip = Path(shared_liveness) / "videos" / "live_head_moves_luyt.mp4"
    pairs = []
    for _, frame in video_frames(clip, fps=5.0, max_seconds=6.0):
        d, b = dlib.detect(frame), bundled.detect(frame)
        if len(d) == 1 and len(b) == 1 and d[0].pose is not None and abs(d[0].pose.yaw) >= 35:
            assert b[0].pose is not None
            pairs.append((d[0].pose.yaw, b[0].pose.yaw))
    assert len(pairs) >= 5, pairs
    # before: about half of these frames read under 15 deg (dlib: 38-48); beyond ~50 deg
    # the refit does not always recover either (a profile the predictor was not trained on)
    close = sum(abs(dy - by) <= 10.0 for dy, by in pairs)
    assert close >= 0.75 * len(pairs), pairs


def test_a_head_shake_passes_the_passive_check_with_the_bundled_engine(shared_liveness, bundled):
    """zulkhuu shakes his head from the first frame: the parallax passes him at ~1.3 s,
    no prompt (before: yaw read +-20 instead of +-26, motion stayed weak, prompted at
    1.5 s, failed WRONG_ACTION at 9.7 s)."""
    clip = Path(shared_liveness) / "videos" / "live_head_shake_zulkhuu.mp4"
    session = LivenessSession("passive", Settings().liveness, random.Random(5))
    request = FrameRequest(antispoof=True)
    state, t0, prompted = None, None, False
    for t, frame in video_frames(clip, fps=10.0, max_seconds=5.0):
        t0 = t if t0 is None else t0
        faces = bundled.analyze(frame, request)
        state = session.update(faces[0] if len(faces) == 1 else None, len(faces), frame, t)
        prompted |= state.prompt is not None
        if state.status != "pending":
            break
    assert state is not None and state.status == "passed", state
    assert state.verdicts == {"model": "live", "motion": "live"}
    assert t - t0 <= 2.0 and not prompted
