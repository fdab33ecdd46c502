"""`bench liveness`: ISO/IEC 30107-3 style figures over a labelled dataset.

APCER per attack type = share of that type's presentations that PASSED;
BPCER = share of live presentations that did not pass (failed or undecided
when the media ran out), over those acquired: a live presentation whose face was
too close for the model most of the time is a failure to acquire (FTA), counted
apart. Rule sets ("model": with the anti-spoofing model layer, "motion": the
rules before it) run side by side on the same frames; each layer's verdict is
counted per type so each layer's share is visible. Every presentation is fed frame by frame at `fps`
(media time, not wall time) to a fresh session, as a kiosk camera would.
A pre-recorded live clip cannot answer prompts, so at the passive level a clip
without passive evidence meets a challenge it will mostly fail: BPCER here is
an upper bound for people who follow the prompts. So the live clips are also split
by the first challenge prompt: `bpcer_passive` counts every acquired live clip not
passed before a prompt appeared, and `live_split` tells the passes before and after
a prompt from the refusals after one (a person answers the prompt, a recording
mostly cannot) and those with no prompt at all (refused on evidence: a real miss).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.liveness.antispoof import load_antispoof
from facekiosk.engine.liveness.codes import Action, Level
from facekiosk.engine.liveness.media import Presentation, discover, presentation_frames
from facekiosk.engine.liveness.session import LivenessSession, LivenessState
from facekiosk.engine.types import AntiSpoofScorer, Face
from facekiosk.settings import LivenessSettings

RULES = ("model", "motion")  # rule sets: with the model layer / the rules before it
FTA_SHARE = 0.5  # a presentation whose face frames were too close this often: FTA


@dataclass(frozen=True)
class Outcome:
    item: Presentation
    status: str  # passed | failed | undecided
    reason: str | None
    decision_s: float | None  # media seconds to the decision
    frames: int
    rules: str = "model"
    model: str = "off"  # what the model layer said (spoof if ever, else last verdict)
    motion: str = "weak"  # what the motion layer said (live if ever, else worst seen)
    too_close_share: float = 0.0  # share of face frames the model could not judge
    prompted_s: float | None = None  # media seconds to the first challenge prompt

    @property
    def fta(self) -> bool:
        """Failure to acquire (ISO/IEC 30107-3): never decided because it was too close."""
        return self.status != "passed" and self.too_close_share >= FTA_SHARE


class _Run:
    """One session under one rule set, fed the same frames as the others."""

    def __init__(self, rules: str, session: LivenessSession) -> None:
        self.rules, self.session = rules, session
        self.state: LivenessState | None = None
        self.decided: float | None = None
        # "unsure" until the model judges a frame (it judges near-frontal frames only)
        self.model = "unsure" if rules == "model" else "off"
        self.motion = "weak"
        self.faces = self.too_close = 0
        self.prompted: float | None = None

    def feed(self, face: Face | None, n: int, frame: np.ndarray, t: float) -> None:
        state = self.session.update(face, n, frame, t)
        self.state = state
        model = state.verdicts.get("model", "off")
        motion = state.verdicts.get("motion", "weak")
        if face is not None and n == 1:
            self.faces += 1
            self.too_close += model == "too_close"
        if self.model != "spoof" and model not in ("unsure",):
            self.model = model
        if self.motion not in ("live", "planar", "frozen"):
            self.motion = motion
        if isinstance(state.prompt, Action) and self.prompted is None:
            self.prompted = t
        if state.status != "pending" and self.decided is None:
            self.decided = t

    def outcome(self, item: Presentation, t0: float, n: int) -> Outcome:
        st = self.state
        status = st.status if st is not None and st.status != "pending" else "undecided"
        return Outcome(
            item,
            status,
            str(st.reason) if st is not None and st.reason is not None else None,
            None if self.decided is None else self.decided - t0,
            n,
            self.rules,
            self.model,
            self.motion,
            self.too_close / self.faces if self.faces else 0.0,
            None if self.prompted is None else self.prompted - t0,
        )


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
    rules: tuple[str, ...] = ("model",),
    antispoof: AntiSpoofScorer | None = None,
) -> list[Outcome]:
    """One outcome per rule set; the engine and the model run once per frame for all."""
    use_model = "model" in rules
    if use_model and antispoof is None:
        antispoof = load_antispoof()
    runs = [
        _Run(
            name,
            LivenessSession(
                level,
                settings,
                random.Random(seed),
                same_person_threshold=same_person_threshold,
                antispoof=antispoof,
                use_model=name == "model",
            ),
        )
        for name in rules
    ]
    model_run = next((run for run in runs if run.rules == "model"), None)
    n, t0 = 0, None
    for t, frame in presentation_frames(item, fps=fps, max_seconds=max_seconds, seed=seed):
        t0 = t if t0 is None else t0
        a = time.perf_counter()
        faces = engine.detect(frame)
        if embed_every and faces and len(faces) == 1 and n % embed_every == 0:
            engine.embed(frame, faces[:1])
        b = time.perf_counter()
        face = faces[0] if faces else None
        if (
            face is not None
            and model_run is not None
            and antispoof is not None
            and model_run.session.wants_antispoof(t)  # as kiosk/frame_plan.py asks
        ):
            # What FaceEngine.analyze(FrameRequest(antispoof=True)) puts on the primary face.
            face.extras["antispoof"] = antispoof.score(frame, face) if len(faces) == 1 else None
        c = time.perf_counter()
        first_open = runs[0].decided is None
        d = c
        for run in runs:
            if run.decided is None:
                run.feed(face, len(faces), frame, t)
            if run is runs[0]:
                d = time.perf_counter()
        n += 1
        if timings is not None and first_open:  # cost of the first rule set only
            timings["engine_ms"].append((b - a) * 1e3)
            timings["model_ms"].append((c - b) * 1e3)
            timings["liveness_ms"].append((d - b) * 1e3)
        if all(run.decided is not None for run in runs):
            break
    return [run.outcome(item, t0 or 0.0, n) for run in runs]


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    arr = np.asarray(values)
    return {
        "median": round(float(np.median(arr)), 3),
        "p90": round(float(np.percentile(arr, 90)), 3),
        "p99": round(float(np.percentile(arr, 99)), 3),
        "mean": round(float(np.mean(arr)), 3),  # the model runs on some frames only
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
    rules: tuple[str, ...] = ("model",),
    progress: Callable[[Outcome], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """{rules: report} for each rule set in `rules` ("model", "motion"), same frames."""
    settings = settings or LivenessSettings()
    unknown = set(rules) - set(RULES)
    if unknown or not rules:
        raise ValueError(f"rule sets must be among {', '.join(RULES)}, not {sorted(unknown)}")
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
    timings: dict[str, list[float]] = {"engine_ms": [], "model_ms": [], "liveness_ms": []}
    outcomes: dict[str, list[Outcome]] = {name: [] for name in rules}
    antispoof = load_antispoof() if "model" in rules else None
    for i, item in enumerate(items):
        for outcome in run_presentation(
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
            rules=rules,
            antispoof=antispoof,
        ):
            outcomes[outcome.rules].append(outcome)
            if progress is not None:
                progress(outcome)
    frame_ms = {k.removesuffix("_ms"): _stats(v) for k, v in timings.items()}
    return {
        name: summarize(group, level=level, fps=fps, max_seconds=max_seconds, frame_ms=frame_ms)
        for name, group in outcomes.items()
    }


def _times(group: list[Outcome]) -> dict[str, float | None]:
    times = [o.decision_s for o in group if o.status == "passed" and o.decision_s is not None]
    if not times:
        return {"median": None, "p90": None}
    return {
        "median": round(float(np.median(times)), 3),
        "p90": round(float(np.percentile(times, 90)), 3),
    }


def _split(acquired: list[Outcome]) -> dict[str, int]:
    """Acquired live clips by what a challenge prompt had to do with the outcome."""
    passed = [o for o in acquired if o.status == "passed"]
    refused = [o for o in acquired if o.status != "passed"]
    return {
        "passed_before_prompt": sum(o.prompted_s is None for o in passed),
        "passed_after_prompt": sum(o.prompted_s is not None for o in passed),
        "refused_after_prompt": sum(o.prompted_s is not None for o in refused),
        "refused_without_prompt": sum(o.prompted_s is None for o in refused),
    }


def summarize(
    outcomes: list[Outcome],
    *,
    level: str,
    fps: float,
    max_seconds: float,
    frame_ms: dict[str, dict[str, float]],
) -> dict[str, Any]:
    """APCER per attack type, BPCER over the live presentations that were acquired
    (failures to acquire are counted apart), pass times, and each layer's verdicts."""
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_type[o.item.attack_type or "attack" if o.item.label == "attack" else "live"].append(o)
    live = by_type.get("live", [])
    acquired = [o for o in live if not o.fta]
    apcer = {
        t: round(sum(o.status == "passed" for o in g) / len(g), 4)
        for t, g in sorted(by_type.items())
        if t != "live"
    }
    bpcer = (
        round(sum(o.status != "passed" for o in acquired) / len(acquired), 4) if acquired else None
    )
    split = _split(acquired)
    bpcer_passive = (
        round(1 - split["passed_before_prompt"] / len(acquired), 4) if acquired else None
    )
    decided = [o.decision_s for o in outcomes if o.decision_s is not None]
    per_type = {
        t: {
            "n": len(g),
            "passed": sum(o.status == "passed" for o in g),
            "fta": sum(o.fta for o in g),
            "pass_s": _times(g),
            "model": dict(Counter(o.model for o in g)),
            "motion": dict(Counter(o.motion for o in g)),
            "reasons": dict(Counter(str(o.reason) for o in g if o.status == "failed")),
        }
        for t, g in sorted(by_type.items())
    }
    return {
        "rules": outcomes[0].rules if outcomes else None,
        "presentations": len(outcomes),
        "apcer": apcer,
        "apcer_max": max(apcer.values()) if apcer else None,
        "bpcer": bpcer,
        "bpcer_passive": bpcer_passive,
        "live_split": split,
        "fta_live": sum(o.fta for o in live),
        "live_pass_s": _times(live),
        "mean_decision_s": round(float(np.mean(decided)), 3) if decided else None,
        "per_type": per_type,
        "details": {
            "level": level,
            "fps": fps,
            "max_seconds": max_seconds,
            "undecided": sum(o.status == "undecided" for o in outcomes),
            "passed_attacks": sorted(
                o.item.path.name
                for o in outcomes
                if o.item.label == "attack" and o.status == "passed"
            ),
            "rejected_live": {
                o.item.path.name: f"{o.status}:{o.reason}{' (FTA)' if o.fta else ''}"
                + ("" if o.prompted_s is None else f" prompted at {o.prompted_s:.1f} s")
                for o in live
                if o.status != "passed"
            },
            "frame_ms": frame_ms,
        },
    }
