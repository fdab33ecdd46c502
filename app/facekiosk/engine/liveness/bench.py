"""`bench liveness`: ISO/IEC 30107-3 style figures over a labelled dataset.

APCER per attack type = share of that type's presentations that PASSED;
BPCER = share of live presentations that did not pass (failed or undecided
when the media ran out). Every presentation is fed frame by frame at `fps`
(media time, not wall time) to a fresh session, as a kiosk camera would.
A pre-recorded live clip cannot answer prompts, so at the passive level a clip
without passive evidence meets a challenge it will mostly fail: BPCER here is
an upper bound for people who follow the prompts.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.liveness.codes import Level
from facekiosk.engine.liveness.media import Presentation, discover, presentation_frames
from facekiosk.engine.liveness.session import LivenessSession
from facekiosk.settings import LivenessSettings


@dataclass(frozen=True)
class Outcome:
    item: Presentation
    status: str  # passed | failed | undecided
    reason: str | None
    decision_s: float | None  # media seconds to the decision
    frames: int


def run_presentation(
    engine: FaceEngine,
    item: Presentation,
    level: Level,
    settings: LivenessSettings,
    *,
    fps: float,
    max_seconds: float,
    seed: int,
    embed_every: int = 0,
    same_person_threshold: float | None = None,
    timings: dict[str, list[float]] | None = None,
) -> Outcome:
    session = LivenessSession(
        level, settings, random.Random(seed), same_person_threshold=same_person_threshold
    )
    state, n, t0 = None, 0, None
    for t, frame in presentation_frames(item, fps=fps, max_seconds=max_seconds, seed=seed):
        t0 = t if t0 is None else t0
        a = time.perf_counter()
        faces = engine.detect(frame)
        if embed_every and faces and len(faces) == 1 and n % embed_every == 0:
            engine.embed(frame, faces[:1])
        b = time.perf_counter()
        state = session.update(faces[0] if faces else None, len(faces), frame, t)
        c = time.perf_counter()
        if timings is not None:
            timings["engine_ms"].append((b - a) * 1e3)
            timings["liveness_ms"].append((c - b) * 1e3)
        n += 1
        if state.status != "pending":
            return Outcome(item, state.status, state.reason, t - (t0 or 0.0), n)
    reason = state.reason if state is not None else None
    return Outcome(item, "undecided", reason, None, n)


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    arr = np.asarray(values)
    return {
        "median": round(float(np.median(arr)), 3),
        "p90": round(float(np.percentile(arr, 90)), 3),
        "p99": round(float(np.percentile(arr, 99)), 3),
    }


def run_bench(
    engine: FaceEngine,
    dataset: Path,
    *,
    level: Level = "passive",
    settings: LivenessSettings | None = None,
    fps: float = 10.0,
    max_seconds: float = 15.0,
    seed: int = 0,
    limit: int = 0,
    embed_every: int = 0,
    progress: Callable[[Outcome], None] | None = None,
) -> dict[str, object]:
    settings = settings or LivenessSettings()
    items = discover(dataset)
    if limit:
        per_type: dict[str | None, int] = Counter()
        kept = []
        for item in items:
            if per_type[item.attack_type] < limit:
                per_type[item.attack_type] += 1
                kept.append(item)
        items = kept
    if not items:
        raise FileNotFoundError(f"{dataset}: no presentations found")
    timings: dict[str, list[float]] = {"engine_ms": [], "liveness_ms": []}
    outcomes = []
    for i, item in enumerate(items):
        outcome = run_presentation(
            engine,
            item,
            level,
            settings,
            fps=fps,
            max_seconds=max_seconds,
            seed=seed + i,
            embed_every=embed_every,
            same_person_threshold=engine.default_threshold if embed_every else None,
            timings=timings,
        )
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return summarize(outcomes, level=level, fps=fps, max_seconds=max_seconds, timings=timings)


def summarize(
    outcomes: list[Outcome],
    *,
    level: str,
    fps: float,
    max_seconds: float,
    timings: dict[str, list[float]],
) -> dict[str, object]:
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    live = [o for o in outcomes if o.item.label == "live"]
    for o in outcomes:
        if o.item.label == "attack":
            by_type[o.item.attack_type or "attack"].append(o)
    apcer = {
        t: round(sum(o.status == "passed" for o in group) / len(group), 4)
        for t, group in sorted(by_type.items())
    }
    bpcer = round(sum(o.status != "passed" for o in live) / len(live), 4) if live else None
    decided = [o.decision_s for o in outcomes if o.decision_s is not None]
    engine_ms = timings.get("engine_ms", [])
    liveness_ms = timings.get("liveness_ms", [])
    ratio = (
        round(float(np.median(liveness_ms)) / float(np.median(engine_ms)), 4)
        if engine_ms and liveness_ms
        else None
    )
    return {
        "presentations": len(outcomes),
        "apcer": apcer,
        "apcer_max": max(apcer.values()) if apcer else None,
        "bpcer": bpcer,
        "mean_decision_s": round(float(np.mean(decided)), 3) if decided else None,
        "details": {
            "level": level,
            "fps": fps,
            "max_seconds": max_seconds,
            "counts": {"live": len(live), **{t: len(g) for t, g in sorted(by_type.items())}},
            "undecided": sum(o.status == "undecided" for o in outcomes),
            "reasons": dict(Counter(str(o.reason) for o in outcomes if o.status == "failed")),
            "passed_attacks": sorted(
                str(o.item.path.name) for g in by_type.values() for o in g if o.status == "passed"
            ),
            "rejected_live": {
                o.item.path.name: f"{o.status}:{o.reason}" for o in live if o.status != "passed"
            },
            "frame_ms": {
                "engine": _stats(engine_ms),
                "liveness": _stats(liveness_ms),
                "liveness_over_engine_median": ratio,
            },
        },
    }
