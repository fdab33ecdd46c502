"""Per-frame cost of liveness at the authentication default, for `bench pipeline`.

Two parts, as a sign-in LIVENESS frame pays them: the anti-spoofing model on the tracked
face (the engine runs it under `FrameRequest(antispoof=True)`) and the liveness session's
update (passive layer, tracker, challenge). The frame is the pipeline bench's kiosk frame
held like a print with hand jitter (`media.still_frames`), so the session keeps working
(identical frames would end it at once as a frozen feed); a session that decides is
replaced, so every timed update does the full work. Issue 19's budget: <= 10 ms per
frame, read as the mean: the model runs on every other frame at 10 fps
(session.MODEL_EVERY_S), so a median of alternating frames says little.
"""

from __future__ import annotations

import random
import time

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.liveness.media import still_frames
from facekiosk.settings import Settings

FPS = 10.0  # the rate the liveness thresholds were measured at


def time_liveness(
    engine: FaceEngine, frame: np.ndarray, settings: Settings, repeats: int, warmup: int = 3
) -> dict[str, object]:
    """Median/p90 ms per frame of the model, the session update and both (None when no
    face is found in the jittered frames)."""
    from facekiosk.engine.liveness import LivenessSession

    level = settings.liveness.auth_level
    scorer = engine.antispoof_scorer()
    frames = [f for _, f in still_frames(frame, seconds=(repeats + warmup) / FPS, fps=FPS)]
    # faces found first: detection is the engine's cost, timed by the pipeline bench
    faced = [(t / FPS, f, faces[0]) for t, f in enumerate(frames) if (faces := engine.detect(f))]
    if len(faced) <= warmup:
        return {"level": level, "model_ms": None, "session_ms": None, "liveness_ms": None}

    def new_session() -> LivenessSession:
        return LivenessSession(level, settings.liveness, random.Random(0))

    session = new_session()
    model_ms, session_ms = [], []
    for i, (t, image, face) in enumerate(faced):
        t0 = time.perf_counter()
        if session.wants_antispoof(t):  # as kiosk/frame_plan.py asks the engine
            face.extras["antispoof"] = scorer.score(image, face)
        t1 = time.perf_counter()
        state = session.update(face, 1, image, t)
        t2 = time.perf_counter()
        if state.status != "pending":
            session = new_session()
        if i >= warmup:
            model_ms.append((t1 - t0) * 1e3)
            session_ms.append((t2 - t1) * 1e3)
    both = np.add(model_ms, session_ms)
    return {
        "level": level,
        "frames": len(model_ms),
        "model_ms": _stats(model_ms),
        "session_ms": _stats(session_ms),
        "liveness_ms": _stats(list(both)),
    }


def _stats(samples: list[float]) -> dict[str, float]:
    a = np.asarray(samples, dtype=np.float64)
    return {
        "median": round(float(np.median(a)), 2),
        "p90": round(float(np.percentile(a, 90)), 2),
        "mean": round(float(np.mean(a)), 2),
    }
