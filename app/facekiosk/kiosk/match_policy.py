"""When a face counts as someone: the one place the kiosk decides a match.

- the threshold, resolved once: `engine.threshold` from the settings, else the engine's
  calibrated default;
- one frame's decision from the vault's top-2 search: above the threshold and ahead of
  the runner-up by `engine.margin` (two enrolled people both close to the face is not a
  match: the kiosk cannot tell which one stands there);
- the streak: `kiosk.confirm_frames` consecutive frames naming the same Index ID (the
  weakest similarity of the streak is what is reported), `kiosk.unrecognized_frames`
  consecutive no-match frames end the attempt;
- the PIN at sign-in, including the low-confidence rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from facekiosk.kiosk.engine_port import EngineInfo
from facekiosk.settings import PinSettings, Settings
from facekiosk.vault.records import Match


def resolve_threshold(settings: Settings, engine: EngineInfo) -> float:
    """The similarity a match needs: the site's setting, else the engine's default."""
    if settings.engine.threshold is not None:
        return float(settings.engine.threshold)
    return float(engine.default_threshold)


@dataclass(frozen=True)
class MatchDecision:
    outcome: Literal["match", "no_match"]
    best: Match | None
    runner_up: Match | None
    reason: str  # "ok", "empty", "below_threshold", "ambiguous" (logged as the deny reason)


def decide(matches: Sequence[Match], threshold: float, margin: float = 0.0) -> MatchDecision:
    """Match only when the best is above `threshold` and beats the runner-up by `margin`."""
    best = matches[0] if matches else None
    runner = matches[1] if len(matches) > 1 else None
    if best is None:
        return MatchDecision("no_match", None, None, "empty")
    if best.similarity < threshold:
        return MatchDecision("no_match", best, runner, "below_threshold")
    if runner is not None and best.similarity - runner.similarity < margin:
        return MatchDecision("no_match", best, runner, "ambiguous")
    return MatchDecision("match", best, runner, "ok")


@dataclass
class MatchStreak:
    """Consecutive frames naming the same Index ID; consecutive frames naming nobody."""

    confirm_frames: int
    unrecognized_frames: int
    hits: list[tuple[str, float]] = field(default_factory=list)
    misses: int = 0

    def hit(self, index_id: str, similarity: float) -> None:
        if self.hits and self.hits[-1][0] != index_id:
            self.hits.clear()  # another identity: the streak starts again
        self.hits.append((index_id, similarity))
        self.misses = 0

    def miss(self) -> None:
        self.hits.clear()
        self.misses += 1

    def interrupt(self) -> None:
        """A frame without a usable face: the next hits are not consecutive any more."""
        self.hits.clear()

    @property
    def confirmed(self) -> tuple[str, float] | None:
        """(Index ID, the weakest similarity of the streak) once confirm_frames agree."""
        if len(self.hits) < self.confirm_frames:
            return None
        return self.hits[-1][0], min(sim for _, sim in self.hits)

    @property
    def unrecognized(self) -> bool:
        return self.misses >= self.unrecognized_frames

    @property
    def progress(self) -> float:
        return min(1.0, len(self.hits) / self.confirm_frames)

    def clear(self) -> None:
        self.hits.clear()
        self.misses = 0


def pin_needed_for_auth(
    settings: PinSettings, *, has_pin: bool, similarity: float, confident_threshold: float
) -> bool:
    """Ask for the PIN: always; when the match is below the "confident" threshold; or when
    the person chose one (their record requires it). Never without a stored PIN."""
    if not has_pin or settings.policy == "never":
        return False
    if settings.policy == "low_confidence":
        return similarity < confident_threshold
    return True  # "always", and "optional" when this person set one


def confident_threshold(settings: Settings, threshold: float) -> float:
    """pin.policy = low_confidence: no PIN at or above this similarity."""
    return threshold + settings.pin.confident_delta


__all__ = [
    "MatchDecision",
    "MatchStreak",
    "confident_threshold",
    "decide",
    "pin_needed_for_auth",
    "resolve_threshold",
]
