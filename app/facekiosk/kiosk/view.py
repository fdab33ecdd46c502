"""What the UI draws: an immutable snapshot of the session, and the events it emits.

Nothing here holds an image or a vector: a view can be passed across threads,
logged or kept without keeping anyone's biometrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from facekiosk.kiosk.codes import ErrorCode, PinIssue, Purpose, ResultKind, State
from facekiosk.kiosk.consent import ConsentText


@dataclass(frozen=True)
class Result:
    kind: ResultKind
    at: datetime
    index_id: str | None = None  # shown once at enrollment; never for errors
    receipt_code: str | None = None  # enrollment or purge receipt
    similarity: float | None = None  # the weakest of the confirming frames
    detail: str = ""  # e.g. audit entry number of a purge, a lockout length
    retry_at: datetime | None = None  # a pause (source or kiosk) ends then: the countdown


@dataclass(frozen=True)
class SessionView:
    state: State
    purpose: Purpose | None = None
    guidance: tuple[str, ...] = ()  # quality Guidance codes, most important first
    liveness_prompt: str | None = None  # BLINK, TURN_LEFT, ... while a challenge runs
    liveness_progress: float = 0.0
    liveness_retry: bool = False  # the prompt is asked again after a wrong move
    progress: float = 0.0  # frames confirmed / needed (match streak or template frames)
    face_box: tuple[float, float, float, float] | None = None
    consent: ConsentText | None = None  # set in CONSENT
    pin_issue: PinIssue | None = None  # why the last PIN typed at set-up was refused
    pin_tries_left: int | None = None
    pin_skippable: bool = False
    error: ErrorCode | None = None  # terminal in RESULT; inline WRONG_PIN_CODE in PIN_ENTRY
    result: Result | None = None
    seconds_left: float | None = None  # until this step times out
    wait_s: float | None = None  # RESULT: seconds until a paused source may try again
    message_key: str = "state.idle"  # one key the UI translates


@dataclass(frozen=True)
class KioskEvent:
    """Emitted for listeners (UI log, metrics). Index IDs only; no biometric, PIN or name."""

    kind: str  # "enroll" | "auth" | "attendance" | "access" | "forget" | "session"
    decision: str  # e.g. "enrolled", "deny", "check_in", "grant_in", "purged", "timeout"
    at: datetime
    index_id: str | None = None
    reason: str = ""
    extra: dict[str, object] = field(default_factory=dict)
