"""Everything one attempt holds, in two objects that are replaced wholesale.

`Biometrics` is what must leave memory with every result, cancel and timeout (and as
soon as an identity is settled): the tracked box, the liveness session, the match
streak, the template frames. `Attempt` is the rest of the attempt (purpose, timers,
PIN entry, the candidate Index ID, the result shown) and owns a `Biometrics`.
Clearing = building new ones, so a field added later cannot be forgotten in a reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from facekiosk.engine.types import Embedding
from facekiosk.kiosk.codes import ErrorCode, PinIssue, Purpose
from facekiosk.kiosk.evidence import TemplateFrames
from facekiosk.kiosk.liveness_port import LivenessLike
from facekiosk.kiosk.match_policy import MatchStreak
from facekiosk.kiosk.view import Result

Box = tuple[float, float, float, float]


@dataclass
class Biometrics:
    streak: MatchStreak
    template: TemplateFrames
    track_box: Box | None = None
    # enrolment: the template frames' vectors of legacy spaces (space_search.find_duplicate)
    legacy: list[Embedding] = field(default_factory=list)
    liveness: LivenessLike | None = None
    liveness_status: str = "pending"
    liveness_prompt: str | None = None
    liveness_progress: float = 0.0
    liveness_retry: bool = False  # the prompt is asked again after a wrong move
    liveness_verdicts: dict[str, str] = field(default_factory=dict)  # per layer, latest
    # the tracked face's latest vector: a failed attempt counts against this face
    # (kiosk/throttle.py), whatever step it failed in
    source: Embedding | None = None

    def held(self) -> int:
        """How many biometric items are in memory (0 after every result/timeout/cancel)."""
        return (
            self.template.held()
            + len(self.streak.hits)
            + len(self.streak.upgrade)
            + len(self.legacy)
            + (self.liveness is not None)
            + (self.track_box is not None)
            + (self.source is not None)
        )


@dataclass(frozen=True)
class EnrollArgs:
    """What `start_enroll` was given; the payload is personal data, dropped with the attempt."""

    payload: bytes | None = None
    label: str | None = None
    valid_until: datetime | None = None


@dataclass
class Attempt:
    bio: Biometrics
    step_t0: float  # when the current step began (scan and result timeouts)
    last_input: float  # the person's last input (consent / PIN / confirm timeouts)
    scan_t0: float | None = None  # when this attempt first scanned (kept across restarts)
    purpose: Purpose | None = None
    enroll: EnrollArgs = field(default_factory=EnrollArgs)
    consent_at: datetime | None = None
    guidance: tuple[str, ...] = ()
    block: str = "NO_FACE"  # why the scan is not moving on (the error if it times out)
    pin_issue: PinIssue | None = None
    pin_first: str | None = None  # the PIN typed at set-up, until it is confirmed
    pin_tries: int = 0
    pin_error: ErrorCode | None = None
    candidate: tuple[str, float] | None = None  # (Index ID, similarity) once identified
    # The candidate matched in a legacy space: the primary embeddings of the streak's frames,
    # written as their new template when the attempt is admitted (steps/admit.py), dropped
    # with the attempt otherwise.
    upgrade: list[Embedding] = field(default_factory=list)
    result: Result | None = None
    error: ErrorCode | None = None
