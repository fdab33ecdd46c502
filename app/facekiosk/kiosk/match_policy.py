"""When a face counts as someone: the one place the kiosk decides a match.

- the threshold, resolved once: `engine.threshold` from the settings, else the engine's
  calibrated default;
- one frame's decision from the vault's top-2 search: above the threshold and ahead of
  the runner-up by `engine.margin` (two enrolled people both close to the face is not a
  match: the kiosk cannot tell which one stands there);
- a vault that still holds templates of an older engine's model space (issue 18: dlib ->
  bundled): each space is searched with the face's vector of that space and decided with
  that space's own threshold (`LEGACY_THRESHOLDS`) and the same margin (`decide_spaces`);
- the streak: `kiosk.confirm_frames` consecutive frames naming the same Index ID (the
  weakest similarity of the streak is what is reported), `kiosk.unrecognized_frames`
  consecutive no-match frames end the attempt;
- the PIN at sign-in, including the low-confidence rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from facekiosk.engine.types import Embedding
from facekiosk.kiosk.engine_port import EngineInfo
from facekiosk.settings import PinSettings, Settings
from facekiosk.vault.records import Match

# Model spaces of an older engine a vault may still hold -> the threshold a match in that
# space needs. dlib (the default engine before issue 18): its engine's own default, the
# FAR 1e-3 point on ../shared/faces. The bundled engine's `extras["dlib_embedding"]` against
# dlib-engine vectors of other photos: TAR 0.971 / FAR 0.0014 at 0.92 (median cosine 0.9994
# to the dlib engine's vector of the same photo; docs/notes/engine.md), the dlib engine's
# operating point, so an old template works as before until it is upgraded.
LEGACY_THRESHOLDS: dict[str, float] = {"dlib/dlib_resnet_v1": 0.92}


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
    space: str | None = None  # the model space searched (decide_spaces); None: not said


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


@dataclass(frozen=True)
class SpaceResult:
    """One model space's top-k for a frame, and the threshold a match in it needs."""

    space: str
    matches: Sequence[Match]
    threshold: float


def decide_spaces(results: Sequence[SpaceResult], margin: float = 0.0) -> MatchDecision:
    """One frame searched in several model spaces (an Index ID has a template in one space
    only). Each space is decided with its own threshold and `margin` (cosines of two models
    are not comparable, so there is no margin across spaces); a match in exactly one space is
    the match; an ambiguous space, or matches in two spaces (two different people close to
    the face), is "ambiguous": the kiosk cannot tell who stands there."""
    decisions = [replace(decide(r.matches, r.threshold, margin), space=r.space) for r in results]
    matched = [d for d in decisions if d.outcome == "match"]
    ambiguous = [d for d in decisions if d.reason == "ambiguous"]
    if ambiguous:
        return ambiguous[0]
    if len(matched) > 1:
        first, second = matched[0], matched[1]
        return MatchDecision("no_match", first.best, second.best, "ambiguous", first.space)
    if matched:
        return matched[0]
    near = [d for d in decisions if d.best is not None]
    if near:
        return near[0]
    return MatchDecision("no_match", None, None, "empty")


@dataclass
class MatchStreak:
    """Consecutive frames naming the same Index ID; consecutive frames naming nobody."""

    confirm_frames: int
    unrecognized_frames: int
    hits: list[tuple[str, float]] = field(default_factory=list)
    misses: int = 0
    # The space the streak's Index ID matched in, and (legacy spaces only) the primary
    # embeddings of the streak's frames: its new template when the attempt is admitted.
    space: str | None = None
    upgrade: list[Embedding] = field(default_factory=list)

    def hit(
        self,
        index_id: str,
        similarity: float,
        *,
        space: str | None = None,
        upgrade: Embedding | None = None,
    ) -> None:
        if self.hits and self.hits[-1][0] != index_id:
            self._restart()  # another identity: the streak starts again
        self.hits.append((index_id, similarity))
        self.space = space
        if upgrade is not None:
            self.upgrade.append(upgrade)
        self.misses = 0

    def miss(self) -> None:
        self._restart()
        self.misses += 1

    def interrupt(self) -> None:
        """A frame without a usable face: the next hits are not consecutive any more."""
        self._restart()

    def _restart(self) -> None:
        self.hits.clear()
        self.upgrade.clear()
        self.space = None

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
        self._restart()
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


def confident_threshold(
    settings: Settings, threshold: float, space: str | None = None
) -> float:
    """pin.policy = low_confidence: no PIN at or above this similarity (in `space`: a
    legacy space's similarity is measured against that space's threshold)."""
    base = LEGACY_THRESHOLDS.get(space, threshold) if space is not None else threshold
    return base + settings.pin.confident_delta


__all__ = [
    "LEGACY_THRESHOLDS",
    "MatchDecision",
    "MatchStreak",
    "SpaceResult",
    "confident_threshold",
    "decide",
    "decide_spaces",
    "pin_needed_for_auth",
    "resolve_threshold",
]
