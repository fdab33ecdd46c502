"""`facekiosk bench flow`: what the kiosk flows cost per camera frame, and what asking the
engine only for what the step needs saves, on real frames with the real engine and a
real (throw-away) vault.

Two ways to run the same enrollment + authentication, interleaved in one process, one
engine call per frame either way:
- eager: every frame asks for everything (detect + embed every face);
- requested: every frame asks for `session.frame_request()` (the primary face's embedding
  only where a match step, the enrolment anchor or a template frame may use it).
Also the session's own cost per frame (quality, tracking, vault search, state machine)
with the embeddings already there. Liveness is off: its cost is `bench liveness`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.types import Embedding, Face, FrameRequest
from facekiosk.kiosk.codes import SCAN_STATES, State
from facekiosk.kiosk.restrictions import AccessPolicy
from facekiosk.kiosk.session import KioskSession
from facekiosk.settings import Settings

EVERYTHING = FrameRequest(embed="all")
FRAME_DT = 1 / 15  # the fake camera's frame interval (15 fps)


def demo_frames() -> list[np.ndarray]:
    """Two people from packaged images (skimage astronaut, insightface's Tom Hanks) each
    centred in a 640x480 frame: 3 frames each with a small shift, like a person in view."""
    import insightface
    from skimage import data

    sources = [
        cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)[20:240, 110:330],
        cv2.imread(str(Path(insightface.__file__).parent / "data/images/Tom_Hanks_54745.png")),
    ]
    frames = []
    for src in sources:
        for shift in (0, 4, -4):
            scale = 360 / max(src.shape[:2])
            face = cv2.resize(src, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            frame = np.full((480, 640, 3), 128, np.uint8)
            h, w = face.shape[:2]
            y, x = (480 - h) // 2, (640 - w) // 2 + shift
            frame[y : y + h, x : x + w] = face
            frames.append(frame)
    return frames


def _settings(threshold: float | None) -> Settings:
    s = Settings()
    s.liveness.enroll_level = s.liveness.auth_level = "off"
    s.pin.policy = "optional"
    s.quality.enroll_max_yaw = s.quality.enroll_max_pitch = 30.0
    if threshold is not None:
        s.engine.threshold = threshold
    return s


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _flow(
    engine: FaceEngine, frames: list[np.ndarray], data_dir: Path, mode: str, threshold: float | None
) -> dict[str, Any]:
    """Enrol person A (from its 3 frames), then authenticate A. Returns per-frame ms."""
    from facekiosk.vault import Vault

    embeds = 0
    real_embed = engine.embed

    def counting_embed(image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        nonlocal embeds
        embeds += len(faces)
        return real_embed(image, faces)

    engine.embed = counting_embed  # type: ignore[method-assign]
    clock = _Clock()
    per_frame: list[float] = []
    try:
        with Vault.open(data_dir) as vault:
            session = KioskSession(
                engine, vault, _settings(threshold), clock=clock, policy=AccessPolicy()
            )

            def run_until_done(person: list[np.ndarray]) -> int:
                n = 0
                while session.state in SCAN_STATES and n < 200:
                    image = person[n % len(person)]
                    clock.t += FRAME_DT
                    t0 = time.perf_counter()
                    request = session.frame_request() if mode == "requested" else EVERYTHING
                    faces = engine.analyze(image, request or EVERYTHING)
                    session.on_frame(image, faces)
                    per_frame.append((time.perf_counter() - t0) * 1000)
                    n += 1
                return n

            session.start_enroll()
            session.accept_consent()
            enroll_frames = run_until_done(frames[:3])
            if session.state == State.PIN_SETUP:
                session.skip_pin()
            enrolled = session.view.result is not None and session.view.result.index_id
            clock.t += 10
            session.tick()
            session.start_auth()
            auth_frames = run_until_done(frames[:3])
            auth_ok = session.view.error is None
    finally:
        engine.embed = real_embed  # type: ignore[method-assign]
    return {
        "per_frame_ms": per_frame,
        "enroll_frames": enroll_frames,
        "auth_frames": auth_frames,
        "embeddings": embeds,
        "ok": bool(enrolled) and auth_ok,
    }


def _session_only(engine: FaceEngine, frames: list[np.ndarray], data_dir: Path) -> list[float]:
    """The session's own per-frame cost (faces analysed and embedded beforehand), over
    30 authentications against a gallery of the person plus 1000 other templates."""
    from facekiosk.engine.types import Embedding
    from facekiosk.vault import Vault

    analysed = [(f, engine.analyze(f, EVERYTHING)) for f in frames[:3]]
    rng = np.random.default_rng(0)
    clock = _Clock()
    times: list[float] = []
    with Vault.open(data_dir) as vault:
        session = KioskSession(engine, vault, _settings(None), clock=clock, policy=AccessPolicy())
        vault.enroll(
            [e for _, faces in analysed if (e := faces[0].embedding) is not None],
            consent_version=session.consent.version,  # else sign-in stops at re-consent
        )
        for v in rng.standard_normal((1000, engine.dim)).astype(np.float32):
            vault.enroll([Embedding(v, engine.name, engine.model_id)])
        for _ in range(30):
            session.start_auth()
            n = 0
            while session.state in SCAN_STATES and n < 100:
                image, faces = analysed[n % 3]
                clock.t += FRAME_DT
                t0 = time.perf_counter()
                session.on_frame(image, faces)
                times.append((time.perf_counter() - t0) * 1000)
                n += 1
            clock.t += 10
            session.tick()
    return times


def _analyze_cost(engine: FaceEngine, frames: list[np.ndarray]) -> tuple[list[float], list[float]]:
    """One engine call with and without the embedding, interleaved (20 each)."""
    with_embed: list[float] = []
    without: list[float] = []
    for i in range(20):
        image = frames[i % len(frames)]
        for request, out in ((EVERYTHING, with_embed), (FrameRequest(), without)):
            t0 = time.perf_counter()
            engine.analyze(image, request)
            out.append((time.perf_counter() - t0) * 1000)
    return with_embed, without


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else float("nan")


def run_flow_bench(engine: FaceEngine, *, rounds: int = 3) -> dict[str, Any]:
    frames = demo_frames()
    threshold = None
    results: dict[str, list[dict[str, Any]]] = {"eager": [], "requested": []}
    engine.analyze(frames[0], EVERYTHING)  # warm-up (model load, first-call allocations)
    with tempfile.TemporaryDirectory(prefix="fk-bench-flow-") as tmp:
        for r in range(rounds):
            for mode in ("eager", "requested") if r % 2 == 0 else ("requested", "eager"):
                d = Path(tmp) / f"{mode}-{r}"
                d.mkdir()
                results[mode].append(_flow(engine, frames, d, mode, threshold))
        d = Path(tmp) / "session"
        d.mkdir()
        session_ms = _session_only(engine, frames, d)

    def summary(mode: str) -> dict[str, Any]:
        runs = results[mode]
        frames_ms = [t for run in runs for t in run["per_frame_ms"]]
        totals = [sum(run["per_frame_ms"]) for run in runs]
        return {
            "flow_ms_median": round(statistics.median(totals), 1),
            "frame_ms_p50": _pct(frames_ms, 50),
            "frame_ms_p90": _pct(frames_ms, 90),
            "frame_ms_p99": _pct(frames_ms, 99),
            "frames_per_flow": runs[0]["enroll_frames"] + runs[0]["auth_frames"],
            "embeddings_per_flow": runs[0]["embeddings"],
            "all_flows_ok": all(run["ok"] for run in runs),
        }

    eager, requested = summary("eager"), summary("requested")
    paired = [
        sum(rq["per_frame_ms"]) / sum(eg["per_frame_ms"])
        for rq, eg in zip(results["requested"], results["eager"], strict=True)
    ]
    with_embed, without = _analyze_cost(engine, frames[:3])
    return {
        "engine": engine.name,
        "model": engine.model_id,
        "rounds": rounds,
        "enroll_frames": results["requested"][0]["enroll_frames"],
        "auth_frames": results["requested"][0]["auth_frames"],
        "eager": eager,
        "requested": requested,
        "requested_vs_eager_flow_time": round(statistics.median(paired), 3),  # median of pairs
        "analyze_embed_ms_p50": _pct(with_embed, 50),
        "analyze_detect_only_ms_p50": _pct(without, 50),
        "descriptor_backend": getattr(engine, "descriptor_backend", None),
        "session_only_ms_p50": _pct(session_ms, 50),
        "session_only_ms_p90": _pct(session_ms, 90),
        "session_only_ms_p99": _pct(session_ms, 99),
    }
