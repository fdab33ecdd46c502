"""How the session talks to liveness: a factory per attempt and the state it reports.

The real checks live in `facekiosk.engine.liveness` (another package); level
"off" needs no code there, so it is handled here and always passes at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from facekiosk.engine.types import AntiSpoofScorer, Face
from facekiosk.settings import LivenessSettings


class LivenessStateLike(Protocol):
    status: str  # "pending" | "passed" | "failed"
    prompt: str | None
    progress: float
    reason: str | None


class LivenessLike(Protocol):
    def update(
        self, face: Face | None, n_faces: int, image: np.ndarray, t: float
    ) -> LivenessStateLike: ...


# level ("off" | "passive" | "challenge") -> a fresh liveness session for one attempt
LivenessFactory = Callable[[str], LivenessLike]


@dataclass(frozen=True)
class SimpleLivenessState:
    """A liveness state without a real session behind it (level "off"; scripted tests)."""

    status: str = "passed"
    prompt: str | None = None
    progress: float = 1.0
    reason: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    verdicts: dict[str, str] = field(default_factory=dict)  # per layer, as LivenessState


class LivenessOff:
    """Level "off": passes at once (a site that accepts the risk, or a test of another flow)."""

    def update(
        self, face: Face | None, n_faces: int, image: np.ndarray, t: float
    ) -> SimpleLivenessState:
        return SimpleLivenessState()


def default_liveness_factory(
    settings: LivenessSettings,
    rng: random.Random | None,
    *,
    same_person_threshold: float,
    data_dir: Path | None = None,
    providers: list[str] | None = None,
    antispoof: AntiSpoofScorer | None = None,
) -> LivenessFactory:
    """Real liveness sessions; the insightface addon joins when installed in `data_dir`.
    The liveness code and the addon are loaded here, when the kiosk starts, not on the
    first attempt: in the window that load (2.2 s importing the liveness package, 3.2 s
    looking for the addon, measured on a quiet machine) ran inside the first person's
    first frame, and the liveness step started its clock at that frame (issue 19).
    The anti-spoofing model score is read from `face.extras["antispoof"]` (the engine
    fills it when the frame request asks for it); faces without it are scored by
    `antispoof`, or by the bundled MiniFASNet pair loaded on first need."""
    if settings.enroll_level == "off" and settings.auth_level == "off":
        return _always_off
    from facekiosk.engine.liveness import LivenessSession

    addon = _load_addon(settings, data_dir, providers)

    def make(level: str) -> Any:
        if level == "off":
            return LivenessOff()
        return LivenessSession(
            level,  # type: ignore[arg-type]
            settings,
            rng,
            addon=addon,
            same_person_threshold=same_person_threshold,
            antispoof=antispoof,
        )

    return make


def _always_off(level: str) -> Any:
    return LivenessOff()


def _load_addon(
    settings: LivenessSettings, data_dir: Path | None, providers: list[str] | None
) -> Any:
    if data_dir is None:
        return None
    from facekiosk.engine.liveness.addon import load_addon

    return load_addon(data_dir, settings, providers)
